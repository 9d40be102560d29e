/**
 * The composition root: the only place adapters are constructed and wired into the use cases.
 */
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger as PinoLogger } from 'pino';
import { ApplicationService } from '../apps/application-service';
import { type ClusterProbeFn, ClusterHealthMonitor } from '../apps/cluster-health';
import { ClusterService } from '../apps/cluster-service';
import { measureOnEnd } from '../apps/measure';
import type { ReplicaOptions } from '../apps/replica';
import { TokenService } from '../apps/token-service';
import { TuningLayer } from '../apps/tuning-layer';
import { buildServer } from '../adapters/http/server';
import { createKubernetesBackends, KubernetesSparkBackend } from '../adapters/k8s';
import { LocalSparkBackend } from '../adapters/local';
import { createEventLogReader, s3OptionsFromEnv } from '../adapters/objectstore';
import { type DurableStore, openStore } from '../adapters/store';
import type { Clock, SparkBackend } from '../domain/ports';
import { JobScheduler } from '../jobs/job-scheduler';
import { JobService, TemplateService } from '../jobs/job-service';
import { parsePriceTable } from '../metrics/cost';
import { type ClusterConfig, databaseUrlOf, type ServiceConfig } from './config';
import { findSparkInstall } from './spark-install';

export interface Runtime {
  config: ServiceConfig;
  store: DurableStore;
  backends: Map<string, SparkBackend>;
  applications: ApplicationService;
  /** Fires job schedules; `serve` starts it. */
  scheduler: JobScheduler;
  tokens: TokenService;
  server: FastifyInstance;
  logger: PinoLogger;
  close(): Promise<void>;
}

export interface RuntimeOverrides {
  /** Back-ends to use instead of the configured ones (benchmarks, tests). */
  backendFor?: (cluster: ClusterConfig) => SparkBackend;
  clock?: Clock;
  /** @default pino at info level on stdout */
  logger?: PinoLogger;
  /**
   * On PostgreSQL this runtime is one of possibly several replicas (see apps/replica.ts); on
   * SQLite it is the only one and acts on every application. @default { id: "<hostname>-<pid>" }
   */
  replica?: Partial<ReplicaOptions>;
}

const systemClock: Clock = { now: () => new Date() };

function configuredBackend(cluster: ClusterConfig, config: ServiceConfig): SparkBackend {
  switch (cluster.backend) {
    case 'local': {
      const spark = findSparkInstall();
      const maxParallelism = cluster.settings.maxParallelism;
      return new LocalSparkBackend({
        dataDir: config.dataDir,
        sparkHome: spark.sparkHome,
        javaHome: spark.javaHome,
        pythonPath: spark.pythonPath,
        ...(typeof maxParallelism === 'number' ? { maxParallelism } : {}),
      });
    }
    case 'kubernetes':
      return createKubernetesBackends([{ ...cluster, createdAt: '', updatedAt: '' }]).get(cluster.id)!;
  }
}

/** What the clusters API reports: the kubernetes back-end asks the cluster; a local one is up while we are. */
function probeOf(backend: SparkBackend, clock: Clock): ClusterProbeFn {
  if (backend instanceof KubernetesSparkBackend) return () => backend.probe();
  return async () => ({ state: 'AVAILABLE', lastHeartbeat: clock.now().toISOString() });
}

/** Opens the store, builds back-ends, use cases and the HTTP server (not listening yet). */
export async function buildRuntime(config: ServiceConfig, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? pino({ level: process.env.SPARKPLANE_LOG_LEVEL ?? 'info' });
  const priceTable = parsePriceTable(config.priceTable);
  // S3 settings from the environment (see s3OptionsFromEnv); credentials from the SDK chain
  const eventLogs = createEventLogReader({ s3: s3OptionsFromEnv() });
  const store = await openStore(databaseUrlOf(config), { clock });
  const backends = new Map<string, SparkBackend>();
  try {
    for (const cluster of config.clusters) {
      await store.putCluster({ id: cluster.id, backend: cluster.backend, settings: cluster.settings });
      backends.set(cluster.id, (overrides.backendFor ?? ((c) => configuredBackend(c, config)))(cluster));
    }
  } catch (error) {
    await Promise.all([...backends.values()].map((backend) => backend.close()));
    await store.close();
    throw error;
  }

  const tuning = new TuningLayer(store, clock);
  const measure = measureOnEnd({
    store,
    backendOf: (clusterId) => backends.get(clusterId),
    readEventLog: (path, options) => eventLogs.read(path, options),
    priceTable,
    logger,
  });
  const applications = new ApplicationService({
    store,
    backends,
    clock,
    logger,
    tuning: tuning.provider,
    ...(store.kind === 'postgres'
      ? { replica: { ...overrides.replica, id: overrides.replica?.id ?? `${hostname()}-${process.pid}` } }
      : {}),
    onEnded: async (app) => {
      try {
        await measure(app);
      } finally {
        tuning.forget(app.jobId);
      }
    },
  });
  const scheduler = new JobScheduler({ store, applications, clock, logger });
  const tokens = new TokenService({ store, clock });
  const health = new ClusterHealthMonitor(
    new Map([...backends].map(([id, backend]) => [id, probeOf(backend, clock)])),
    { clock, logger },
  );
  await health.start();
  const server = await buildServer(
    {
      applications,
      jobs: new JobService({ store, onChanged: () => scheduler.refresh() }),
      templates: new TemplateService({ store }),
      clusters: new ClusterService({
        store,
        hasBackend: (id) => backends.has(id),
        health: (id) => health.get(id),
      }),
      tokens,
      clock,
      ready: async () => (await store.listClusters()).length > 0,
    },
    { bodyLimitBytes: config.bodyLimitBytes, loggerInstance: logger },
  );

  return {
    config,
    store,
    backends,
    applications,
    scheduler,
    tokens,
    server,
    logger,
    async close() {
      health.stop();
      await scheduler.stop();
      await server.close();
      await applications.stop();
      await Promise.all([...backends.values()].map((backend) => backend.close()));
      await store.close();
      eventLogs.close();
    },
  };
}
