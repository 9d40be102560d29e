/**
 * Durable submissions per second and latency through the native API and the Ocean API, against a
 * bare route of the same server that stores nothing, measured in one run.
 *   npm run bench:submit [-- --seconds 8 --connections 64]
 * Measures a SQLite file; with BENCH_DATABASE_URL=postgres://... (a role that may CREATE DATABASE),
 * a fresh PostgreSQL database too, in the same run. The last lines, one per store:
 * durable-submit/bare <sqlite|postgres> ratio=<r> native=<n>/s ocean=<o>/s bare=<b>/s p99=<ms>ms
 * cpu=<µs>us (the server's CPU per durable submission, the worse route, all its threads).
 *
 * Throughput on a shared machine swings with its load; the server's CPU per request does much less,
 * so each route also prints it, split into the event loop's thread and the others (the SQLite
 * writer, libuv's pool, the garbage collector), read from /proc (Linux).
 *
 * Each route is measured at the same number of concurrent connections, enough to saturate the
 * server: a durable submission waits for a commit's fsync, and group commit makes one fsync serve
 * the submissions that arrive meanwhile, so with few clients the disk's latency, not the server's
 * capacity, sets the rate (--connections 16 shows it).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freshPostgres } from './fresh-postgres';
import { threadCpuMicros } from './submit/thread-cpu';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '8' }, connections: { type: 'string', default: '64' } },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);

interface Result {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** The server's CPU per request, µs: its event loop's thread and the others; undefined without /proc. */
  cpu?: { main: number; other: number };
}

/** One store's figures: its summary line, or why the figures are not valid. */
type Figures = { summary: string } | { invalid: string };

let sequence = 0;

/** Starts the benchmark's server on `databaseUrl` (else a SQLite file) and measures its three routes. */
async function benchStore(databaseUrl?: string): Promise<Figures> {
  const env = { ...process.env };
  delete env.BENCH_DATABASE_URL;
  if (databaseUrl !== undefined) env.BENCH_DATABASE_URL = databaseUrl;
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./submit/server.ts', import.meta.url))],
    { stdio: ['ignore', 'pipe', 'inherit'], env },
  );
  const exit = once(server, 'exit');
  try {
    const listening = once(createInterface({ input: server.stdout! }), 'line').then(([line]) => line as string);
    const line = await Promise.race([listening, exit.then(() => undefined)]);
    if (line === undefined) throw new Error(`its server exited (code ${server.exitCode}) before it listened`);
    const { port, token, store } = JSON.parse(line) as { port: number; token: string; store: string };
    const measure = async (name: string, path: string, duration: number): Promise<Result> => {
      const before = threadCpuMicros(server.pid!);
      const result = await autocannon({
        url: `http://127.0.0.1:${port}`,
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
      const after = threadCpuMicros(server.pid!);
      const errors = result.errors + result.non2xx;
      const figures = {
        name,
        perSecond: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors,
      };
      if (!before || !after || result.requests.total === 0) return figures;
      const perRequest = (micros: number) => micros / result.requests.total;
      return {
        ...figures,
        cpu: { main: perRequest(after.main - before.main), other: perRequest(after.other - before.other) },
      };
    };

    // warm up every path (JIT, page caches, prepared statements), then measure each in turn
    const paths = ['/bench/bare', '/api/v1/applications', '/ocean/spark/cluster/local/app?accountId=bench'] as const;
    for (const path of paths) await measure('warm-up', path, 2);
    const bare = await measure('bare', paths[0], seconds);
    const native = await measure('native', paths[1], seconds);
    const ocean = await measure('ocean', paths[2], seconds);
    console.log(`store=${store} connections=${connections} seconds=${seconds}`);
    for (const r of [bare, native, ocean]) {
      const cpu = r.cpu ? `  cpu/request main=${r.cpu.main.toFixed(0)}us other=${r.cpu.other.toFixed(0)}us` : '';
      console.log(
        `${r.name.padEnd(7)} ${r.perSecond.toFixed(0).padStart(6)}/s  p50=${r.p50}ms  p99=${r.p99}ms  errors=${r.errors}  ratio-to-bare=${(r.perSecond / bare.perSecond).toFixed(2)}${cpu}`,
      );
    }
    if (native.errors + ocean.errors + bare.errors > 0) {
      return { invalid: `${store}: some requests failed: the figures are not valid` };
    }
    const ratio = Math.min(native.perSecond, ocean.perSecond) / bare.perSecond;
    const cpuOf = (r: Result) => (r.cpu ? r.cpu.main + r.cpu.other : 0);
    const cpu = native.cpu && ocean.cpu ? ` cpu=${Math.max(cpuOf(native), cpuOf(ocean)).toFixed(0)}us` : '';
    return {
      summary: `durable-submit/bare ${store} ratio=${ratio.toFixed(2)} native=${native.perSecond.toFixed(0)}/s ocean=${ocean.perSecond.toFixed(0)}/s bare=${bare.perSecond.toFixed(0)}/s p99=${Math.max(native.p99, ocean.p99)}ms${cpu}`,
    };
  } finally {
    if (server.exitCode === null) server.kill('SIGTERM');
    await exit;
  }
}

/** Measures PostgreSQL in a database of its own, dropped afterwards. */
async function benchPostgres(serverUrl: string): Promise<Figures> {
  const database = await freshPostgres(serverUrl, 'sparkplane_submitbench');
  try {
    return await benchStore(database.url);
  } finally {
    await database.drop();
  }
}

const postgresUrl = process.env.BENCH_DATABASE_URL;
const stores: [string, () => Promise<Figures>][] = [['sqlite', () => benchStore()]];
if (postgresUrl !== undefined && postgresUrl !== '') stores.push(['postgres', () => benchPostgres(postgresUrl)]);
console.log(
  `load average before: ${loadavg()
    .map((each) => each.toFixed(2))
    .join(' ')}`,
);
const figures: Figures[] = [];
for (const [name, bench] of stores) {
  // a store that cannot be measured leaves the other's figures
  figures.push(await bench().catch((error: Error) => ({ invalid: `${name}: ${error.message}` })));
}
console.log(
  `load average after: ${loadavg()
    .map((each) => each.toFixed(2))
    .join(' ')}`,
);
// one last line per store
for (const each of figures) if ('summary' in each) console.log(each.summary);
const invalid = figures.flatMap((each) => ('invalid' in each ? [each.invalid] : []));
if (invalid.length > 0) throw new Error(invalid.join('; '));
