/**
 * The interfaces the use cases are written against. Adapters (store/, local/, k8s/, http/)
 * implement or call them; only runtime/main constructs adapters.
 */
import type { BackendKnobs } from './backend-knobs';
import type { z } from 'zod';
import type { Application, ApplicationSortKey, ApplicationType } from './application';
import type { Demand, Resources } from './admission';
import type { ClusterHealth, StoredCluster } from './cluster';
import type { Page } from './common';
import type { ApplicationConfig } from './config';
import type { FieldIssue } from './errors';
import type { Measurement } from './measurement';
import type { Provenance } from './merge';
import type { Prediction } from './tuning-change';
import type { RunMetrics } from './metrics';
import type { ConfigTemplate, JobSpec, StoredJob, StoredTemplate } from './resources';
import type { AppState } from './states';
import type { ApiToken } from './tokens';

export type { ApiToken, Page, StoredCluster, StoredJob, StoredTemplate };

export interface ApplicationFilter {
  clusterId?: string;
  jobId?: string;
  states?: AppState[];
  /** ISO timestamps bounding createdAt (inclusive from, exclusive to). */
  createdFrom?: string;
  createdTo?: string;
  /** Every label given must match (config.labels). */
  labels?: Record<string, string>;
  /** Only the applications owned by this runtime replica (see Store.claimApplications). */
  ownerId?: string;
  /** The name of the token that submitted them. */
  userId?: string;
  /** Any of these types (a batch run, a session, a notebook). */
  types?: ApplicationType[];
  /** The retries of this first attempt (not the first attempt itself). */
  retryOf?: string;
  /** Case-insensitive substring of the application id or the job id. */
  q?: string;
}

/** The order of a list: by the key, ties broken by id in the same direction; applications without the key last. */
export interface ApplicationSort {
  key: ApplicationSortKey;
  order: 'asc' | 'desc';
}

/** Applications that ended in [endedFrom, endedTo), optionally within clusters and jobs (a token's limits). */
export interface EndedFilter {
  endedFrom: string;
  endedTo: string;
  clusterIds?: string[];
  jobIds?: string[];
}

/** What ended applications are summed by. */
export type SpendKey = 'job' | 'user' | 'cluster' | 'label' | 'state';

export interface SpendQuery extends EndedFilter {
  /** Absent: one row (per day, with perDay). */
  by?: SpendKey;
  /** The label whose values are the keys, with by "label". */
  labelKey?: string;
  /** One row per UTC day of endedAt (and key). */
  perDay?: boolean;
  /** Only the groups with these keys (with `by`). */
  keys?: string[];
}

/** Sums over a group of ended applications; the measured figures count only the runs that have them. */
export interface SpendRow {
  /** UTC day, "YYYY-MM-DD", with perDay. */
  day?: string;
  /** The group's key ("" when the application has none, e.g. no user or no such label). */
  key?: string;
  applications: number;
  cost: number;
  executorCoreSeconds: number;
  durationMs: number;
  inputBytes: number;
  outputBytes: number;
  /** Sum of task run time (the numerator of efficiency). */
  executorRunTimeMs: number;
  /** Applications with metrics. */
  measured: number;
  /** A currency of the priced runs of the group. */
  currency?: string;
}

/** When an application waited and ran, and the cores it asked for: what activity over time is drawn from. */
export interface ActivityInterval {
  state: AppState;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  /** Driver plus executor cores its config asks for. */
  requestedCores: number;
}

export interface ApplicationUpdate {
  state?: AppState;
  /** null withdraws it. */
  stateReason?: string | null;
  /** null withdraws it. */
  pendingReason?: string | null;
  admittedAt?: string;
  backendRef?: string;
  startedAt?: string;
  endedAt?: string;
  metrics?: RunMetrics;
  measurement?: Measurement;
  /** null withdraws it. */
  stopRequest?: Application['stopRequest'] | null;
  failure?: Application['failure'];
}

/**
 * An ended, measured run of a job as its statistics read it: the figures they chart and compare,
 * the config and where each value came from; not the whole application (its metrics' executors,
 * Spark properties and the rest are not read).
 */
export interface MeasuredRun {
  appId: string;
  /** When the run ended: epoch ms or an ISO 8601 date-time. */
  endedAt: number | string;
  state: AppState;
  metrics: Pick<RunMetrics, 'durationMs' | 'inputBytes' | 'outputBytes' | 'efficiency' | 'executorCoreSeconds'> & {
    cost?: Pick<NonNullable<RunMetrics['cost']>, 'total'>;
  };
  config: ApplicationConfig;
  provenance: Provenance;
  /** What the tuner predicted for the run, when it was tuned. */
  prediction?: Prediction;
}

/**
 * What every replica must know of a running session (migration 0012): where its Spark Connect
 * server answers, as the runtime reaches it, and when a relay last passed it a request.
 */
export interface SessionState {
  appId: string;
  lastActivityAt?: string;
  endpoint?: ConnectEndpoint;
}

/** How a replica takes over applications (see Store.claimApplications). */
export interface ClaimOptions {
  /** A replica whose last heartbeat is older than this is presumed dead. */
  leaseSeconds: number;
  /** Most applications claimed by one call. */
  limit: number;
}

/**
 * Durable state. Every write is committed before the promise resolves, so a caller may
 * acknowledge it afterwards.
 */
export interface Store {
  /**
   * Inserts, or returns the application already stored under the same id or idempotency key.
   * `ownerId`: the runtime replica that acts on it from now on (absent: no owner yet).
   */
  insertApplication(app: Application, options?: { ownerId?: string }): Promise<{ app: Application; created: boolean }>;
  getApplication(id: string): Promise<Application | undefined>;
  /** @param sort @default createdAt descending */
  listApplications(
    filter: ApplicationFilter,
    limit: number,
    cursor?: string,
    sort?: ApplicationSort,
  ): Promise<Page<Application>>;
  /** The job's ended runs that have metrics, newest first (the job page's statistics). */
  listMeasuredRuns(jobId: string): Promise<MeasuredRun[]>;
  /** Sums of the ended applications' metrics, grouped in the store (never by loading applications). */
  sumSpend(query: SpendQuery): Promise<SpendRow[]>;
  /** The applications of a cluster (of `jobIds` only, when given) created before `to` and not ended before `from`. */
  listActivity(clusterId: string, from: string, to: string, jobIds?: string[]): Promise<ActivityInterval[]>;
  /** Ended applications whose event log is still to be read (never measured, or a read to retry), oldest first. */
  listPendingMeasurements(limit: number): Promise<Application[]>;
  /**
   * FAILED applications whose failure is not recorded yet, by id after `afterId`: the follow-up of
   * their end (classification, retry) did not finish, as when the runtime stopped in between.
   */
  listUnfinishedFailures(limit: number, afterId?: string): Promise<Application[]>;
  /** How many applications are in each of `states`, per cluster (the queue and running gauges). */
  countApplications(states: AppState[]): Promise<{ clusterId: string; state: AppState; count: number }[]>;
  /**
   * Applies the update if the application is in `expected` state (compare-and-set), returning the
   * new application, or undefined when the state had moved on.
   */
  updateApplication(id: string, update: ApplicationUpdate, expected?: AppState[]): Promise<Application | undefined>;
  /**
   * Records the back-end's reference of an application just handed to it (and, with
   * `clearPendingReason`, forgets why its hand-over waited); returns its state then, or undefined
   * when there is no such application. Every submission makes this write: it returns no row.
   */
  recordHandover(id: string, backendRef: string, clearPendingReason: boolean): Promise<AppState | undefined>;

  /** Creates the job if it does not exist; returns it either way. */
  ensureJob(job: JobSpec): Promise<StoredJob>;
  putJob(job: JobSpec): Promise<StoredJob>;
  getJob(id: string): Promise<StoredJob | undefined>;
  listJobs(filter: { clusterId?: string }, limit: number, cursor?: string): Promise<Page<StoredJob>>;

  putTemplate(clusterId: string, template: ConfigTemplate): Promise<StoredTemplate>;
  getTemplate(clusterId: string, id: string): Promise<StoredTemplate | undefined>;
  listTemplates(clusterId: string): Promise<StoredTemplate[]>;
  deleteTemplate(clusterId: string, id: string): Promise<boolean>;

  putCluster(cluster: Omit<StoredCluster, 'createdAt' | 'updatedAt'>): Promise<StoredCluster>;
  getCluster(id: string): Promise<StoredCluster | undefined>;
  listClusters(): Promise<StoredCluster[]>;
  deleteCluster(id: string): Promise<boolean>;

  /**
   * Runtime replicas sharing one store: each acts only on the applications it owns, and a
   * replica is alive while its heartbeat is recent. heartbeat() records that `replicaId` is alive
   * now (registering it on first call); a replica must heartbeat before it owns anything.
   */
  heartbeat(replicaId: string): Promise<void>;
  /**
   * Makes `replicaId` the owner of up to `limit` active applications (NEW, PENDING, RUNNING),
   * oldest first, that have no owner or whose owner's last heartbeat is older than
   * `leaseSeconds`, and returns them oldest first. Concurrent claims never return the same application.
   */
  claimApplications(replicaId: string, options: ClaimOptions): Promise<Application[]>;
  /**
   * A replica leaving (clean shutdown, or starting again under the same id): its active
   * applications lose their owner, so the next claim of any replica takes them, and the replica
   * is forgotten. Returns the number of applications released.
   */
  releaseApplications(replicaId: string): Promise<number>;
  /**
   * Runs `work` while no other caller runs its own, in this process or in any replica sharing the
   * database: an admission pass reads what is admitted and commits what it admits under it, so two
   * passes never both admit into the same free room.
   */
  withAdmissionLock<T>(work: () => Promise<T>): Promise<T>;

  /** Records where the session's server answers (any replica's relays then route there). */
  putSessionEndpoint(appId: string, endpoint: ConnectEndpoint): Promise<void>;
  /** Records a request to the session at `at`; an older time than the one stored changes nothing. */
  touchSession(appId: string, at: string): Promise<void>;
  /** The stored state of each of these sessions that has one, in no particular order. */
  getSessionStates(appIds: string[]): Promise<SessionState[]>;
  /** Forgets the state of these sessions (they ended). */
  deleteSessionStates(appIds: string[]): Promise<void>;
  /** Forgets the state of every session that is not active any more (what an end left behind); returns how many. */
  deleteEndedSessionStates(): Promise<number>;

  insertToken(token: ApiToken): Promise<void>;
  findTokenByHash(secretHash: string): Promise<ApiToken | undefined>;
  listTokens(): Promise<ApiToken[]>;
  revokeToken(id: string, at: string): Promise<boolean>;

  close(): Promise<void>;
}

/** What a back-end knows of an application it was given. */
export interface BackendStatus {
  state: AppState;
  reason?: string;
  startedAt?: string;
  endedAt?: string;
}

/** State changes a back-end observes, reported as they happen. */
export type BackendListener = (appId: string, status: BackendStatus) => void;

/**
 * Where the live Spark UI of a running application answers, for the runtime's proxy: the request's
 * path under the proxy is appended to `url`.
 */
export interface SparkUiTarget {
  /** Base URL of the driver's UI, without a trailing slash, e.g. "http://127.0.0.1:41234". */
  url: string;
  /** Headers the upstream needs (the Kubernetes API server's credentials). @default none */
  headers?: Record<string, string>;
  /**
   * The connection settings of the upstream (a node:http(s) Agent holding its CA and client
   * certificate). @default Node's global agent
   */
  agent?: object;
  /**
   * A path the upstream puts before the UI's own root-relative links in HTML and redirects (the
   * Kubernetes API server's service proxy rewrites them so): the proxy takes it out again.
   * @default none
   */
  linkPrefix?: string;
}

/** A host and TCP port of a Spark Connect server, as the runtime reaches it. */
export interface ConnectEndpoint {
  host: string;
  port: number;
}

/** Where applications run: `local` spark-submit, `kubernetes` SparkApplications... */
export interface SparkBackend {
  /** The back-end kind, as registered (see BackendPlugin). */
  readonly kind: string;
  /** Starts the application; idempotent by app.id. Returns how the back-end knows it. */
  submit(app: Application, config: ApplicationConfig): Promise<{ backendRef: string }>;
  /**
   * Why it cannot start an application now (its disk is full or read-only...), checked before a
   * submission is acknowledged; undefined when it can. @default it always can
   */
  refusal?(): Promise<string | undefined>;
  /**
   * What the back-end would refuse in this config (its API server's schemas and naming rules), as
   * field issues, checked before the submission is acknowledged. @default nothing
   */
  problems?(app: Application, config: ApplicationConfig): Promise<FieldIssue[]>;
  /** Stops it; killing an application that has ended does nothing. */
  kill(app: Application): Promise<void>;
  /** Asks the back-end what became of an application (after a restart, a lost watch...). */
  status(app: Application): Promise<BackendStatus>;
  /** The driver log so far, then (with follow) new lines until the application ends or signal aborts. */
  driverLog(app: Application, options: { follow: boolean; signal?: AbortSignal }): AsyncIterable<string>;
  /** Kubernetes events of the application and its pods, as lines; back-ends without them omit it. */
  kubeEvents?(app: Application): Promise<string[]>;
  /**
   * Where the live Spark UI of a running application answers; undefined while it is not up yet.
   * Back-ends without a reachable UI omit it.
   */
  sparkUiTarget?(app: Application): Promise<SparkUiTarget | undefined>;
  /**
   * Where a running session's server answers, Spark Connect or (a sql session) the Thrift Server (for the runtime's relays only: the port
   * is never exposed); undefined until it is ready or once it ended. Back-ends without sessions omit it.
   */
  connectEndpoint?(app: Application): Promise<ConnectEndpoint | undefined>;
  /**
   * The cluster runs each notebook's Spark as a Spark Connect server of its own (submit, kill,
   * status, connectEndpoint... of an application of type notebook), to which the notebook's kernel,
   * beside the runtime, connects. @default false: the kernel's Spark driver runs beside the runtime
   */
  readonly notebookSparkConnect?: boolean;
  /** The Spark History Server of the cluster's runs, when it has one. @default the runtime's historyServerUrl */
  readonly historyServerUrl?: string;
  /**
   * What the cluster holds at once (the machine locally, the autoscaler's limits on Kubernetes);
   * undefined: unlimited. @default unlimited
   */
  capacity?(): Resources | undefined;
  /** What an application with this config holds while it runs on this back-end. @default the config's driver and initial executors */
  demandOf?(config: ApplicationConfig): Demand;
  /** The Spark event log of the application (file or directory), once written. */
  eventLogPath(app: Application): string | undefined;
  /** Registers the listener of state changes. */
  onStatus(listener: BackendListener): void;
  close(): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** pino-compatible: fastify's `server.log` or a pino logger fits. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * What the runtime counts and times, for its /metrics (an adapter exports them); the use cases
 * report, they do not know the exporter.
 */
export interface Telemetry {
  /** An application was committed (state NEW). */
  submitted(clusterId: string): void;
  /** How long a submission took to validate, merge and commit, seconds. */
  submissionSeconds(seconds: number): void;
  started(clusterId: string): void;
  ended(clusterId: string, state: AppState): void;
  /** How long reading an event log into metrics took, seconds. */
  eventLogSeconds(seconds: number): void;
  /** A back-end call failed (submit, kill, status). */
  backendError(clusterId: string, operation: string): void;
}

export const noTelemetry: Telemetry = {
  submitted: () => undefined,
  submissionSeconds: () => undefined,
  started: () => undefined,
  ended: () => undefined,
  eventLogSeconds: () => undefined,
  backendError: () => undefined,
};

/** What every back-end is built with. */
export interface BackendContext {
  /** The runtime's data directory (database, logs of local applications). */
  dataDir: string;
  /** Free space a back-end writing to dataDir keeps before it starts anything more. @default 256 */
  minFreeDiskMiB?: number;
  clock: Clock;
  logger: Logger;
}

/**
 * A kind of back-end, registered with the composition root: its settings schema, how to build
 * one for a cluster, and how to probe that cluster's health. A new kind is a new plug-in: no
 * domain file, switch or instanceof changes.
 */
export interface BackendPlugin<Settings = unknown, Backend extends SparkBackend = SparkBackend> {
  kind: string;
  /** One line for the docs, e.g. "spark-submit on this machine". */
  description: string;
  /** The cluster's `settings`, validated when the cluster is declared. */
  settings: z.ZodType<Settings>;
  /** May resolve later: a kind whose client is heavy to load loads it only when a cluster of that kind exists. */
  create(cluster: { id: string; settings: Settings }, context: BackendContext): Backend | Promise<Backend>;
  /** The cluster's health. @default AVAILABLE while the runtime runs */
  probe?(backend: Backend): Promise<ClusterHealth>;
  /** The knobs the tuner may change on a cluster of this kind, and their ranges. @default every knob (undeclaredKnobs) */
  tuningKnobs?(settings: Settings): BackendKnobs;
}
