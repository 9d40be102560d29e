/**
 * Recovery after a crash: the time from a kill -9 of `sparkplane serve` with applications in
 * flight to its first answered request and to readiness, against the same restart with none in
 * flight (the baseline, measured in the same run).
 *   npm run bench:recovery [-- --applications 500]
 * Runs the real service as a child process on a SQLite data directory, with a fake spark-submit
 * (a shell that sleeps) so that the machine, not Spark, is not the bottleneck. Last line:
 * recovery first-answer=<s>s ready=<s>s (with <n> in flight; target: first answer under 2 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { applications: { type: 'string', default: '500' } } });
const inFlight = Number(values.applications);
const token = 'bench-recovery-admin-token-0123456789';
const root = mkdtempSync(join(tmpdir(), 'sparkplane-recovery-'));
const sparkHome = join(root, 'spark');
mkdirSync(join(sparkHome, 'bin'), { recursive: true });
// a driver that runs until it is stopped: every application stays RUNNING through the crash
writeFileSync(join(sparkHome, 'bin', 'spark-submit'), '#!/bin/sh\nexec sleep 600\n');
chmodSync(join(sparkHome, 'bin', 'spark-submit'), 0o755);
mkdirSync(join(sparkHome, 'app'));
writeFileSync(join(sparkHome, 'app', 'main.py'), '# never run: the fake spark-submit only sleeps\n');
const APPLICATION = { type: 'Python', mainApplicationFile: 'spark-home://app/main.py' };
// room for every fake driver at once (admission would otherwise queue all but the machine's worth)
const clustersFile = join(root, 'clusters.yaml');
writeFileSync(
  clustersFile,
  "- id: local\n  backend: local\n  settings:\n    capacity: { cores: 100000, memory: '100000g' }\n",
);
const bin = fileURLToPath(new URL('../bin/sparkplane.js', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

function serve(dataDir: string, port: number): ChildProcess {
  return spawn(process.execPath, [bin, 'serve', '--port', String(port), '--data-dir', dataDir], {
    env: {
      ...process.env,
      SPARK_HOME: sparkHome,
      SPARKPLANE_ADMIN_TOKEN: token,
      SPARKPLANE_LOG_LEVEL: 'warn',
      SPARKPLANE_CLUSTERS_FILE: clustersFile,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Milliseconds from now until GET `url` answers `status`. */
async function until(url: string, status: (code: number) => boolean, limitMs = 120_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const code = await fetch(url).then(
      (response) => response.status,
      () => 0,
    );
    if (status(code)) return performance.now() - started;
    if (performance.now() - started > limitMs) throw new Error(`${url} did not answer within ${limitMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const api = (base: string, path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });

async function activeCount(base: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = (await (
      await api(
        base,
        `/api/v1/applications?state=NEW&state=PENDING&state=RUNNING&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
      )
    ).json()) as { items: unknown[]; nextCursor?: string };
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

/** Starts a service, puts `applications` in flight, kills it -9, and times its restart. */
async function crashAndRestart(applications: number): Promise<{ firstAnswerMs: number; readyMs: number }> {
  const dataDir = join(root, `data-${applications}`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let server = serve(dataDir, port);
  await until(`${base}/readyz`, (code) => code === 200);
  const ids: string[] = [];
  for (let i = 0; i < applications; i += 25) {
    const batch = Array.from({ length: Math.min(25, applications - i) }, (_, k) =>
      api(base, '/api/v1/applications', {
        method: 'POST',
        body: JSON.stringify({
          clusterId: 'local',
          jobId: `in-flight-${(i + k) % 20}`,
          configOverrides: APPLICATION,
        }),
      }).then(async (response) => {
        if (response.status !== 201)
          throw new Error(`a submission answered ${response.status}: ${await response.text()}`);
        ids.push(((await response.json()) as { id: string }).id);
      }),
    );
    await Promise.all(batch);
  }
  const before = await activeCount(base);
  server.kill('SIGKILL');
  await once(server, 'exit');

  const restarted = performance.now();
  server = serve(dataDir, port);
  const firstAnswerMs = await until(`${base}/healthz`, (code) => code === 200);
  const readyMs = (await until(`${base}/readyz`, (code) => code === 200)) + firstAnswerMs;
  const active = await activeCount(base);
  console.log(
    `restart with ${applications} acknowledged, ${before} active at the kill (${active} after): first answer ${(firstAnswerMs / 1000).toFixed(2)}s, ready ${(readyMs / 1000).toFixed(2)}s after the restart (${((performance.now() - restarted) / 1000).toFixed(1)}s in all)`,
  );
  // stop the fake drivers through the API, then the service
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(ids.slice(i, i + 50).map((id) => api(base, `/api/v1/applications/${id}`, { method: 'DELETE' })));
  }
  server.kill('SIGTERM');
  await once(server, 'exit');
  return { firstAnswerMs, readyMs };
}

try {
  const baseline = await crashAndRestart(0);
  const loaded = await crashAndRestart(inFlight);
  console.log(
    `first-answer ratio to an empty restart=${(loaded.firstAnswerMs / baseline.firstAnswerMs).toFixed(2)} ready ratio=${(loaded.readyMs / baseline.readyMs).toFixed(2)}`,
  );
  console.log(
    `recovery first-answer=${(loaded.firstAnswerMs / 1000).toFixed(2)}s ready=${(loaded.readyMs / 1000).toFixed(2)}s`,
  );
} finally {
  rmSync(root, { recursive: true, force: true, maxRetries: 3 });
}
