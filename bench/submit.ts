/**
 * Durable submissions per second and latency through the native API and the Ocean API, against a
 * bare route of the same server that stores nothing, measured in one run.
 *   npm run bench:submit [-- --seconds 8 --connections 64]
 * BENCH_DATABASE_URL=postgres://... measures PostgreSQL instead of the default SQLite file.
 *
 * Each route is measured at the same number of concurrent connections, enough to saturate the
 * server: a durable submission waits for a commit's fsync, and group commit makes one fsync serve
 * the submissions that arrive meanwhile, so with few clients the disk's latency, not the server's
 * capacity, sets the rate (--connections 16 shows it).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '8' }, connections: { type: 'string', default: '64' } },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const server = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('./submit/server.ts', import.meta.url))],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  },
);
const [line] = (await once(createInterface({ input: server.stdout! }), 'line')) as [string];
const { port, token, store } = JSON.parse(line) as { port: number; token: string; store: string };
const base = `http://127.0.0.1:${port}`;

interface Result {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

let sequence = 0;
async function measure(name: string, path: string, duration: number): Promise<Result> {
  const result = await autocannon({
    url: base,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        path,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        // a new application each time: what is measured is a durable, distinct submission
        setupRequest: (request) => {
          sequence += 1;
          const jobId = `bench-job-${sequence % 50}`;
          const body = path.startsWith('/ocean')
            ? { jobId, configOverrides: { executor: { instances: 2, memory: '1g' } } }
            : { clusterId: 'local', jobId, configOverrides: { executor: { instances: 2, memory: '1g' } } };
          return { ...request, body: JSON.stringify(body) };
        },
      },
    ],
  });
  const errors = result.errors + result.non2xx;
  return { name, perSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors };
}

try {
  // warm up every path (JIT, SQLite page cache), then measure each in turn
  for (const path of ['/bench/bare', '/api/v1/applications', '/ocean/spark/cluster/local/app?accountId=bench']) {
    await measure('warm-up', path, 2);
  }
  const bare = await measure('bare', '/bench/bare', seconds);
  const native = await measure('native', '/api/v1/applications', seconds);
  const ocean = await measure('ocean', '/ocean/spark/cluster/local/app?accountId=bench', seconds);
  console.log(`store=${store} connections=${connections} seconds=${seconds}`);
  for (const r of [bare, native, ocean]) {
    console.log(
      `${r.name.padEnd(7)} ${r.perSecond.toFixed(0).padStart(6)}/s  p50=${r.p50}ms  p99=${r.p99}ms  errors=${r.errors}  ratio-to-bare=${(r.perSecond / bare.perSecond).toFixed(2)}`,
    );
  }
  if (native.errors + ocean.errors + bare.errors > 0)
    throw new Error('some requests failed: the figures are not valid');
  const ratio = Math.min(native.perSecond, ocean.perSecond) / bare.perSecond;
  console.log(
    `durable-submit/bare ratio=${ratio.toFixed(2)} native=${native.perSecond.toFixed(0)}/s ocean=${ocean.perSecond.toFixed(0)}/s bare=${bare.perSecond.toFixed(0)}/s p99=${Math.max(native.p99, ocean.p99)}ms`,
  );
} finally {
  server.kill('SIGTERM');
  await once(server, 'exit');
}
