/** A server over the in-memory store and a fake back-end, with an admin token and token factory. */
import type { FastifyInstance } from 'fastify';
import { ApplicationChanges, publishingStore } from '../../runtime/apps/application-changes';
import { ApplicationService } from '../../runtime/apps/application-service';
import { ClusterBackends } from '../../runtime/apps/cluster-backends';
import { ClusterHealthMonitor } from '../../runtime/apps/cluster-health';
import { ClusterService } from '../../runtime/apps/cluster-service';
import { InsightsService } from '../../runtime/apps/insights-service';
import { Measurer } from '../../runtime/apps/measure';
import { readRunMetrics } from '../../runtime/adapters/eventlog/read-event-log';
import { parsePriceTable } from '../../runtime/metrics/cost';
import { TimelineService } from '../../runtime/apps/timeline-service';
import { SessionService } from '../../runtime/sessions/session-service';
import { TokenService } from '../../runtime/apps/token-service';
import { createEventLogTail } from '../../runtime/adapters/eventlog/event-log-tail';
import { createEventLogReader } from '../../runtime/adapters/objectstore';
import { buildServer, type ServerOptions } from '../../runtime/adapters/http/server';
import type { Store } from '../../runtime/domain/ports';
import type { Scope } from '../../runtime/domain/tokens';
import { JobService, TemplateService } from '../../runtime/jobs/job-service';
import { ServiceConfig } from '../../runtime/main/config';
import { notebookBackend, notebookHttp } from '../../runtime/main/notebooks';
import { noTelemetry, silentLogger } from '../../runtime/domain/ports';
import { FakeBackend, fakeBackendPlugin } from '../support/fake-backend';
import { MemoryStore } from '../support/memory-store';

export class FakeClock {
  constructor(private ms = Date.parse('2026-03-01T00:00:00.000Z')) {}
  now(): Date {
    this.ms += 1;
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface HttpFixture {
  server: FastifyInstance;
  store: Store;
  backend: FakeBackend;
  /** The back-ends of the clusters (the fixture's 'local' and 'other' run on `backend`). */
  backends: ClusterBackends;
  clock: FakeClock;
  applications: ApplicationService;
  tokens: TokenService;
  changes: ApplicationChanges;
  /** Reads the event logs the fake back-end names (`backend.eventLogs`); a failed read is not retried. */
  measurer: Measurer;
  adminSecret: string;
  /** A token's secret with these scopes and limits. */
  token(
    scopes: Scope[],
    limits?: { clusterIds?: string[]; jobIds?: string[]; templateIds?: string[] },
  ): Promise<string>;
}

/**
 * The store is in memory unless SPARKPLANE_HTTP_TEST_STORE names a database URL (e.g. ":memory:"
 * for SQLite), so the same tests run against the real store.
 */
async function testStore(storeUrl?: string): Promise<Store> {
  const url = storeUrl ?? process.env.SPARKPLANE_HTTP_TEST_STORE;
  if (!url) return new MemoryStore();
  const { openStore } = await import('../../runtime/adapters/store/open-store');
  return openStore(url);
}

export interface FixtureOptions extends ServerOptions {
  /** A database URL for the real store (SQLite path, postgres://...). @default the in-memory store */
  storeUrl?: string;
}

export async function httpFixture(fixtureOptions: FixtureOptions = {}): Promise<HttpFixture> {
  const { storeUrl, ...options } = fixtureOptions;
  const changes = new ApplicationChanges();
  const store = publishingStore(await testStore(storeUrl), changes);
  const clock = new FakeClock();
  const backend = new FakeBackend();
  const backends = new ClusterBackends([fakeBackendPlugin(backend)], { dataDir: '', clock, logger: silentLogger });
  for (const id of ['local', 'other']) {
    const cluster = await store.putCluster({ id, backend: 'local', settings: {} });
    await backends.start(cluster);
  }
  const health = new ClusterHealthMonitor(() => backends.probes(), { clock, logger: silentLogger });
  await health.refresh();
  const applications = new ApplicationService({
    store,
    backends: (clusterId) => backends.backendOf(clusterId),
    clock,
  });
  const measurer = new Measurer({
    store,
    backendOf: (clusterId) => backends.backendOf(clusterId),
    readEventLog: (path, readOptions) => readRunMetrics(path, readOptions),
    priceTable: parsePriceTable(undefined),
    logger: silentLogger,
    telemetry: noTelemetry,
    clock,
    retryDelaysMs: [],
  });
  const tokens = new TokenService({ store, clock });
  const sessions = new SessionService({ applications, store, clock, connectPublicUrl: 'sc://127.0.0.1:15002' });
  const eventLogs = createEventLogReader();
  const admin = await tokens.ensureAdminToken();
  if (!admin) throw new Error('the fixture expected a fresh store');
  const server = await buildServer(
    {
      applications,
      jobs: new JobService({ store, clock }),
      templates: new TemplateService({ store }),
      clusters: new ClusterService({ store, backends, health }),
      tokens,
      insights: new InsightsService({ store, clock }),
      timelines: new TimelineService({
        applications,
        backendOf: (clusterId) => backends.backendOf(clusterId),
        tail: createEventLogTail((path) => eventLogs.locate(path)),
        clock,
      }),
      changes,
      measurements: measurer,
      sessions,
      // the gateway API is served; its Kernel Gateway starts only with a kernel (test/integration/notebooks.test.ts)
      notebooks: notebookHttp(notebookBackend(ServiceConfig.parse({}), clock, silentLogger), {
        store,
        applications,
        clock,
      }),
      clock,
    },
    // every answer of the tests is checked against its route's response schema
    { bodyLimitBytes: 64 * 1024, validateResponses: true, ...options },
  );
  server.addHook('onClose', () => store.close());
  let n = 0;
  return {
    server,
    store,
    backend,
    backends,
    clock,
    applications,
    tokens,
    changes,
    measurer,
    adminSecret: admin.secret,
    token: async (scopes, limits = {}) => (await tokens.create({ name: `t${++n}`, scopes, ...limits })).secret,
  };
}

export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
