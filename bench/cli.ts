/**
 * How fast the CLI starts and answers: `sparkplane apps list` as a child process against the real
 * runtime holding 1,000 applications, against `node -e 0` (the floor of any Node.js command)
 * measured in the same run, turn about.
 *   npm run bench:cli [-- --runs 20 --apps 1000]
 * The last line: cli apps-list/node ratio=<r> ms=<t> (medians; ms is apps list's).
 * The runtime runs in this process on a back-end that starts nothing (no Spark): applications
 * stay queued, which is all a list needs.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadServiceConfig } from '../runtime/main/config';
import { buildRuntime } from '../runtime/main/runtime';
import { call } from '../test/e2e/service-fixture';
import { fakeBackendPlugin } from '../test/support/fake-backend';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, apps: { type: 'string', default: '1000' } },
});
const runs = Number(values.runs);
const apps = Number(values.apps);
const root = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function timed(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr })),
  );
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

// what `sparkplane` runs when its build is current: measure that, not the sources through tsx
execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: root, stdio: 'inherit' });

// the runtime as `serve` builds it (SQLite, answers not checked against their schemas as the tests do)
const dataDir = mkdtempSync(join(tmpdir(), 'sparkplane-bench-cli-'));
const token = 'bench-admin-token-0123456789';
const config = loadServiceConfig({ port: 0, dataDir }, { SPARKPLANE_ADMIN_TOKEN: token });
config.clustersFile = { path: 'the CLI benchmark', clusters: [{ id: 'local', backend: 'local', settings: {} }] };
const runtime = await buildRuntime(config, { plugins: [fakeBackendPlugin()], logger: pino({ level: 'warn' }) });
await runtime.tokens.ensureAdminToken(token);
const url = await runtime.server.listen({ port: 0, host: '127.0.0.1' });
try {
  const started = performance.now();
  for (let i = 0; i < apps; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, apps - i) }, (_, j) =>
        call(url, 'POST', '/api/v1/applications', {
          token,
          body: { clusterId: 'local', jobId: `bench-job-${(i + j) % 20}`, appId: `bench-app-${i + j}` },
        }).then((answer) => {
          if (answer.status !== 201) throw new Error(`submission ${i + j} answered ${answer.status}: ${answer.text}`);
        }),
      ),
    );
  }
  console.log(`${apps} applications submitted in ${((performance.now() - started) / 1000).toFixed(1)}s`);

  const env = { ...process.env, SPARKPLANE_URL: url, SPARKPLANE_TOKEN: token };
  const cli = ['bin/sparkplane.js', 'apps', 'list'];
  const node = ['-e', '0'];
  const first = await timed(cli, env);
  const rows = first.stdout.split('\n').filter((line) => line.startsWith('bench-app-')).length;
  if (first.code !== 0 || rows !== 50 || first.stderr !== '')
    throw new Error(`apps list exited ${first.code} with ${rows} rows (expected 50): ${first.stderr}`);
  await timed(node, env);

  const times = { cli: [] as number[], node: [] as number[], api: [] as number[] };
  for (let i = 0; i < runs; i++) {
    // turn about, so that a burst of load on the machine falls on both
    times.node.push((await timed(node, env)).ms);
    times.cli.push((await timed(cli, env)).ms);
    // the part of apps list that is the API's, not the CLI's: the same request from here
    const asked = performance.now();
    await call(url, 'GET', '/api/v1/applications?limit=50', { token });
    times.api.push(performance.now() - asked);
  }
  const cliMs = median(times.cli);
  const nodeMs = median(times.node);
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)} ms`;
  console.log(`runs=${runs} apps=${apps} rows=${rows}`);
  console.log(`apps list  median ${cliMs.toFixed(0)} ms  (${range(times.cli)})`);
  console.log(`node -e 0  median ${nodeMs.toFixed(0)} ms  (${range(times.node)})`);
  console.log(`the API's answer to it  median ${median(times.api).toFixed(0)} ms  (${range(times.api)})`);
  console.log(`cli apps-list/node ratio=${(cliMs / nodeMs).toFixed(2)} ms=${cliMs.toFixed(0)}`);
} finally {
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}
