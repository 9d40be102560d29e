/**
 * The composition root: the only place adapters are constructed and wired into the use cases.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger as PinoLogger } from 'pino';
import { ApplicationChanges, publishingStore } from '../apps/application-changes';
import { DegradedReasons } from '../apps/degraded-reasons';
import { jobCachingStore } from '../apps/job-cache';
import { ApplicationService } from '../apps/application-service';
import { ClusterBackends } from '../apps/cluster-backends';
import { ClusterHealthMonitor } from '../apps/cluster-health';
import { ClusterService } from '../apps/cluster-service';
import { InsightsService } from '../apps/insights-service';
import { Measurer } from '../apps/measure';
import { TimelineService } from '../apps/timeline-service';
import type { ReplicaOptions } from '../apps/replica';
import { TokenService } from '../apps/token-service';
import { TuningLayer } from '../apps/tuning-layer';
import { createEventLogTail } from '../adapters/eventlog/event-log-tail';
import { buildServer } from '../adapters/http/server';
import { PrometheusTelemetry, timedStore } from '../adapters/prometheus/prometheus-telemetry';
import { createEventLogReader, gcsOptionsFromEnv, s3OptionsFromEnv } from '../adapters/objectstore';
import { type DurableStore, openStore, parseDatabaseUrl } from '../adapters/store';
import type { ClusterSpec, StoredCluster } from '../domain/cluster';
import type { BackendPlugin, Clock, Logger, Store } from '../domain/ports';
import { SessionService } from '../sessions/session-service';
import { JobScheduler } from '../jobs/job-scheduler';
import { JobService, TemplateService } from '../jobs/job-service';
import { SparkJobReconciler } from '../jobs/spark-job-reconciler';
import { KubernetesSparkJobSource, loadDefaultKubeConfig } from '../adapters/k8s';
import type { KubeConfig } from '@kubernetes/client-node';
import { parsePriceTable } from '../metrics/cost';
import { defaultBackendPlugins } from './backend-plugins';
import { failureEvidenceLines } from './failure-evidence';
import { databaseUrlOf, type ServiceConfig } from './config';
import { diskProblem } from '../adapters/local/disk';
import { readinessReasons, storeFaultReason } from './readiness';
import { notebookRouting } from '../adapters/notebook/with-notebooks';
import { notebookBackend, notebookHttp } from './notebooks';

export interface Runtime {
  config: ServiceConfig;
  store: DurableStore;
  backends: ClusterBackends;
  applications: ApplicationService;
  /** Fires job schedules; start() starts it. */
  scheduler: JobScheduler;
  tokens: TokenService;
  /** The clusters' last probes, refreshed every 30 s (refresh() probes now). */
  health: ClusterHealthMonitor;
  /** Interactive sessions: start() starts their idle sweep. */
  sessions: SessionService;
  /** Jobs as code, when config.sparkJobs names a namespace: start() starts following it. */
  sparkJobs?: SparkJobReconciler;
  server: FastifyInstance;
  logger: PinoLogger;
  /**
   * Settles the applications an earlier run left active with their back-ends, then starts the
   * time-out sweep, take-overs and schedules. The server may listen before: it answers at once,
   * and /readyz says ready only once this is done (with hundreds of applications in flight it
   * takes seconds, and clients retrying a restarted service must not give up meanwhile).
   */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface RuntimeOverrides {
  /** The back-end kinds to use instead of the shipped ones (benchmarks, tests). @default defaultBackendPlugins() */
  plugins?: BackendPlugin[];
  clock?: Clock;
  /** @default pino at info level on stdout */
  logger?: PinoLogger;
  /**
   * On PostgreSQL this runtime is one of possibly several replicas (see apps/replica.ts); on
   * SQLite it is the only one and acts on every application. @default { id: "<hostname>-<pid>" }
   */
  replica?: Partial<ReplicaOptions>;
  /** Check every answer against its response schema (tests). @default false */
  validateResponses?: boolean;
  /** How often idle sessions are looked for, ms (tests shorten it). @default 30000 */
  sessionIdleSweepIntervalMs?: number;
  /** The cluster whose SparkJobs are followed (tests). @default loadDefaultKubeConfig() */
  sparkJobsKubeConfig?: KubeConfig;
}

/** Spark Connect's own port: the sc:// address sessions show when the proxy's port is not configured. */
const DEFAULT_CONNECT_PORT = 15002;

const systemClock: Clock = { now: () => new Date() };

/** The cluster the runtime creates on a first start when no clusters file declares them. */
const DEFAULT_CLUSTER: ClusterSpec = { id: 'local', backend: 'local', settings: {} };

/** The whole declaration (kind, settings, display name, Ocean id) is the same, whatever the order of its keys. */
/** The directories the runtime writes: its data directory, and the SQLite database's when elsewhere. */
function diskDirs(config: ServiceConfig): string[] {
  const location = parseDatabaseUrl(databaseUrlOf(config));
  const dirs = [config.dataDir];
  if (location.kind === 'sqlite' && location.path !== ':memory:') dirs.push(dirname(resolve(location.path)));
  return [...new Set(dirs)];
}

function sameDeclaration(stored: StoredCluster, declared: ClusterSpec): boolean {
  const { createdAt: _created, updatedAt: _updated, ...before } = stored;
  void _created;
  void _updated;
  return isDeepStrictEqual(before, declared);
}

/**
 * Declares the clusters and builds their back-ends. With a clusters file, the file is the truth:
 * its clusters are written over the stored ones (each change logged), and stored clusters it no
 * longer names stay listed, UNAVAILABLE. Without one, the stored clusters are the truth (the
 * `local` one is created on first start).
 */
async function startClusters(
  store: Store,
  backends: ClusterBackends,
  config: ServiceConfig,
  logger: Logger,
): Promise<void> {
  const stored = await store.listClusters();
  const file = config.clustersFile;
  if (!file) {
    if (stored.length === 0) {
      await store.putCluster(DEFAULT_CLUSTER);
      logger.info({ clusterId: DEFAULT_CLUSTER.id }, 'created the default local cluster');
    }
    for (const cluster of await store.listClusters()) await backends.startOrRecord(cluster);
    return;
  }
  const declared = file.clusters.map((cluster) => backends.validate(cluster));
  for (const cluster of declared) {
    const before = stored.find((c) => c.id === cluster.id);
    if (!before || !sameDeclaration(before, cluster)) {
      await store.putCluster(cluster);
      logger.info(
        { clusterId: cluster.id, backend: cluster.backend, file: file.path },
        before ? 'cluster changed by the clusters file' : 'cluster declared by the clusters file',
      );
    }
    await backends.startOrRecord(cluster);
  }
  for (const cluster of stored.filter((c) => !declared.some((d) => d.id === c.id))) {
    backends.markUnavailable(cluster.id, `not declared in ${file.path} any more`);
    logger.warn(
      { clusterId: cluster.id, file: file.path },
      'a stored cluster is not in the clusters file: unavailable',
    );
  }
}

/** Opens the store, builds back-ends, use cases and the HTTP server (not listening yet). */
export async function buildRuntime(config: ServiceConfig, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? pino({ level: process.env.SPARKPLANE_LOG_LEVEL ?? 'info' });
  const priceTable = parsePriceTable(config.priceTable);
  // S3 and GCS settings from the environment (s3OptionsFromEnv, gcsOptionsFromEnv)
  const eventLogs = createEventLogReader({ s3: s3OptionsFromEnv(), gcs: gcsOptionsFromEnv() });
  // the logs and local applications go there whatever the database (PostgreSQL creates no directory)
  mkdirSync(config.dataDir, { recursive: true });
  const durable = await openStore(databaseUrlOf(config), { clock, logger });
  const telemetry = new PrometheusTelemetry(durable);
  const changes = new ApplicationChanges();
  // what this runtime commits is told to the stream of changes; the jobs every submission reads are cached
  const store = jobCachingStore(publishingStore(timedStore(durable, telemetry), changes), clock);
  const backends = new ClusterBackends(overrides.plugins ?? defaultBackendPlugins(), {
    dataDir: config.dataDir,
    minFreeDiskMiB: config.minFreeDiskMiB,
    clock,
    logger,
  });
  try {
    await startClusters(store, backends, config, logger);
  } catch (error) {
    await backends.close();
    await store.close();
    throw error;
  }

  const tuningEnvironment = { knobsOf: (cluster: StoredCluster) => backends.tuningKnobs(cluster), priceTable };
  const tuning = new TuningLayer(store, clock, tuningEnvironment);
  // every cluster's back-end, with its notebooks (kernels of the runtime's gateway) beside it
  const notebooks = notebookBackend(config, clock, logger);
  const withNotebooks = notebookRouting(notebooks);
  const backendOf = (clusterId: string) => withNotebooks(backends.backendOf(clusterId));
  const measurer = new Measurer({
    store,
    backendOf,
    readEventLog: (path, options) => eventLogs.read(path, options),
    priceTable,
    logger,
    telemetry,
    clock,
  });
  const applications = new ApplicationService({
    store,
    backends: backendOf,
    clock,
    logger,
    telemetry,
    tuning: tuning.provider,
    // Spark's own out-of-memory errors (failed tasks, lost executors) are evidence of a failure's cause
    eventLogLines: failureEvidenceLines((path) => eventLogs.locate(path)),
    ...(config.historyServerUrl ? { historyServerUrl: config.historyServerUrl } : {}),
    ...(store.kind === 'postgres'
      ? { replica: { ...overrides.replica, id: overrides.replica?.id ?? `${hostname()}-${process.pid}` } }
      : {}),
    onEnded: async (app) => {
      try {
        await measurer.onEnded(app);
      } finally {
        if (app.jobId !== undefined) tuning.forget(app.jobId);
      }
    },
  });
  const scheduler = new JobScheduler({ store, applications, clock, logger });
  const tokens = new TokenService({ store, clock });
  const sessions = new SessionService({
    applications,
    store,
    changes,
    clock,
    logger,
    connectPublicUrl:
      config.connectPublicUrl ??
      `sc://${config.connect?.host ?? config.host}:${config.connect?.port ?? DEFAULT_CONNECT_PORT}`,
    ...(overrides.sessionIdleSweepIntervalMs !== undefined
      ? { idleSweepIntervalMs: overrides.sessionIdleSweepIntervalMs }
      : {}),
  });
  let started = false;
  const degradedReasons = new DegradedReasons({ store, logger });
  const health = new ClusterHealthMonitor(() => backends.probes(), {
    clock,
    logger,
    onStateChange: (clusterId, state) => degradedReasons.apply(clusterId, state),
  });
  await health.start();
  const jobs = new JobService({ store, clock, onChanged: () => scheduler.refresh(), tuning: tuningEnvironment });
  const sparkJobs =
    config.sparkJobs &&
    new SparkJobReconciler({
      source: new KubernetesSparkJobSource({
        kubeConfig: overrides.sparkJobsKubeConfig ?? loadDefaultKubeConfig(),
        namespace: config.sparkJobs.namespace,
        resyncIntervalMs: config.sparkJobs.resyncIntervalMs,
        logger,
      }),
      jobs,
      logger,
    });
  const server = await buildServer(
    {
      applications,
      jobs,
      templates: new TemplateService({ store }),
      clusters: new ClusterService({
        store,
        backends,
        health,
        ...(config.clustersFile ? { clustersFile: config.clustersFile.path } : {}),
      }),
      tokens,
      insights: new InsightsService({ store, clock }),
      notebooks: notebookHttp(notebooks, { store, applications, clock }),
      timelines: new TimelineService({
        applications,
        backendOf,
        tail: createEventLogTail((path) => eventLogs.locate(path)),
        clock,
      }),
      changes,
      measurements: measurer,
      sessions,
      clock,
      readiness: () =>
        readinessReasons([
          async () => (started ? undefined : 'start-up reconciliation of the applications in flight is not done yet'),
          async () => ((await store.listClusters()).length > 0 ? undefined : 'no cluster is declared'),
          async () => storeFaultReason(durable.lastFault, clock.now()),
          ...diskDirs(config).map((dir) => () => diskProblem(dir, config.minFreeDiskMiB)),
        ]),
    },
    {
      bodyLimitBytes: config.bodyLimitBytes,
      loggerInstance: logger,
      telemetry,
      validateResponses: overrides.validateResponses ?? false,
    },
  );

  return {
    config,
    store,
    backends,
    applications,
    scheduler,
    tokens,
    health,
    sessions,
    ...(sparkJobs ? { sparkJobs } : {}),
    server,
    logger,
    async start() {
      await applications.replicas.reconcile();
      applications.replicas.start();
      scheduler.start();
      sessions.startSweeping();
      sparkJobs?.start();
      started = true;
      // what a stopped runtime recorded FAILED but never followed up (classified, retried)
      void applications.retries
        .resumeUnfinished()
        .catch((error: unknown) => logger.error({ err: error }, 'finishing the ends left unfinished failed'));
      // what a stopped runtime ended but never measured: after readiness, it serves no request
      void measurer
        .resumePending()
        .catch((error: unknown) => logger.error({ err: error }, 'measuring the applications left pending failed'));
    },
    async close() {
      await sparkJobs?.stop();
      measurer.close();
      health.stop();
      await scheduler.stop();
      await sessions.stopSweeping();
      await server.close();
      // the kernels end cleanly (their event logs complete) and their applications are recorded KILLED
      await notebooks.close();
      await applications.lifecycle.idle();
      await applications.replicas.stop();
      await backends.close();
      await store.close();
      eventLogs.close();
    },
  };
}
