#!/usr/bin/env node
// The `sparkplane` command: the CLI is TypeScript, run through tsx (a pinned dependency).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../runtime/cli/main.ts');
process.exitCode = await main(process.argv);
