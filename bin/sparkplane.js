#!/usr/bin/env node
// The `sparkplane` command. It runs the CLI as compiled by `npm run build` (scripts/build-cli.mjs)
// when every file of that build is unchanged since; otherwise (no build: a fresh clone, the
// container image; or a source changed) it runs the TypeScript sources through tsx, a pinned
// dependency, which costs about half a second more at each start.
import { readFileSync, statSync } from 'node:fs';
import { URL } from 'node:url';

const root = new URL('../', import.meta.url);
const build = new URL('node_modules/.cache/sparkplane-cli/', root);

/** "missing", "stale" or "current". */
function buildState() {
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(new URL('inputs.json', build), 'utf8'));
  } catch {
    return 'missing';
  }
  for (const [file, mtimeMs] of Object.entries(inputs)) {
    const now = statSync(new URL(file, root), { throwIfNoEntry: false });
    if (now?.mtimeMs !== mtimeMs) return 'stale';
  }
  return 'current';
}

const state = buildState();
let main;
if (state === 'current') {
  ({ main } = await import(new URL('main.js', build).href));
} else {
  if (state === 'stale')
    process.stderr.write(
      'sparkplane: sources changed since the CLI was built; running them (npm run build to start fast)\n',
    );
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../runtime/cli/main.ts'));
}
process.exitCode = await main(process.argv);
