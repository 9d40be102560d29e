/**
 * The dashboard benchmark's server, in its own process so that the client and Chromium do not
 * share its event loop: fills a store (a SQLite file, or the PostgreSQL database named by
 * BENCH_DATABASE_URL), then serves the real runtime on it (its APIs and the built dashboards),
 * plus the bare routes of the baseline (bare-queries.ts) behind the same authentication.
 * Prints one JSON line {port, token, store, fill} when it listens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { postgresCodec, sqliteCodec } from '../../runtime/adapters/store/dialect';
import type { Database } from '../../runtime/adapters/store/schema';
import { ServiceConfig } from '../../runtime/main/config';
import { buildRuntime } from '../../runtime/main/runtime';
import { fakeBackendPlugin } from '../../test/support/fake-backend';
import { type BareQueries, postgresBareQueries, sqliteBareQueries } from './bare-queries';
import { fillStore, type FillOptions } from './fill';

const CLUSTERS = ['prod-us', 'prod-eu', 'staging', 'dev', 'ml'];
const dataDir = mkdtempSync(join(tmpdir(), 'sparkplane-dashbench-'));
const token = 'bench-admin-token-0123456789';
const databaseUrl = process.env.BENCH_DATABASE_URL;
const sqlitePath = join(dataDir, 'sparkplane.db');
const fill: FillOptions = {
  clusterIds: CLUSTERS,
  jobs: Number(process.env.BENCH_JOBS ?? 2000),
  applications: Number(process.env.BENCH_APPLICATIONS ?? 200_000),
  days: 100,
  now: new Date(),
};

/** Fills through a connection of its own: the runtime opens the store afterwards, as on a restart. */
async function fillDatabase() {
  if (databaseUrl !== undefined) {
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl }) }),
    });
    try {
      // a statement binds at most 65,535 values: 1,000 rows of the application's 40 columns
      return await fillStore(db, postgresCodec, fill, 1000);
    } finally {
      await db.destroy();
    }
  }
  const database = new SqliteDatabase(sqlitePath);
  database.pragma('journal_mode = WAL');
  // a benchmark's data: a power loss during the fill only means filling again
  database.pragma('synchronous = OFF');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  try {
    return await fillStore(db, sqliteCodec, fill);
  } finally {
    await db.destroy();
  }
}

const started = performance.now();
const filled = await fillDatabase();
const fillMs = Math.round(performance.now() - started);

const config = ServiceConfig.parse({
  dataDir,
  port: 0,
  databaseUrl,
  adminToken: token,
  clustersFile: {
    path: 'bench/dashboard/server.ts',
    clusters: CLUSTERS.map((id) => ({ id, backend: 'local', region: 'eu-west-1', settings: {} })),
  },
});
const runtime = await buildRuntime(config, { plugins: [fakeBackendPlugin()], logger: pino({ level: 'warn' }) });
await runtime.tokens.ensureAdminToken(token);
const bare: BareQueries = databaseUrl !== undefined ? postgresBareQueries(databaseUrl) : sqliteBareQueries(sqlitePath);
type Query = Record<string, string | undefined>;
runtime.server.get('/bench/bare/applications', async (request) => {
  const q = request.query as Query;
  return { items: await bare.applications(q.clusterId ?? '', q.state ?? '', Number(q.limit ?? 25) + 1) };
});
runtime.server.get('/bench/bare/jobs/:jobId', async (request) => ({
  items: await bare.job((request.params as { jobId: string }).jobId),
}));
runtime.server.get('/bench/bare/costs', async (request) => {
  const q = request.query as Query;
  return { items: await bare.costs(q.from ?? '', q.to ?? '') };
});
await runtime.server.listen({ port: 0, host: '127.0.0.1' });
await runtime.start();
const address = runtime.server.server.address() as import('node:net').AddressInfo;
process.stdout.write(
  `${JSON.stringify({ port: address.port, token, store: runtime.store.kind, fill: { ...filled, ms: fillMs } })}\n`,
);

const stop = async () => {
  await bare.close();
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
