/**
 * The runtime's configuration: flags and environment, validated once. A wrong value names the
 * setting, the value and what is expected.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ClusterSpec } from '../domain/cluster';
import { HistoryServerUrl } from '../domain/spark-ui';
import { parseOrThrow } from '../domain/validation';

/** The sc:// endpoint (runtime/adapters/connect): Spark Connect clients reach sessions only through it. */
export const ConnectEndpointConfig = z.strictObject({
  /** SPARKPLANE_CONNECT_PORT; 0 picks a free port. */
  port: z.number().int().min(0).max(65535),
  /** SPARKPLANE_CONNECT_HOST. @default the runtime's --host */
  host: z.string().min(1).optional(),
  /** SPARKPLANE_CONNECT_TLS_CERT_FILE: PEM certificate (chain) the endpoint serves; Spark Connect's token turns TLS on. */
  tlsCertFile: z.string().min(1),
  /** SPARKPLANE_CONNECT_TLS_KEY_FILE: PEM private key of that certificate. */
  tlsKeyFile: z.string().min(1),
});
export type ConnectEndpointConfig = z.infer<typeof ConnectEndpointConfig>;

export const ServiceConfig = z.strictObject({
  /** @default 8080 */
  port: z.number().int().min(0).max(65535).default(8080),
  /** @default "127.0.0.1" */
  host: z.string().min(1).default('127.0.0.1'),
  /** Database, event logs and driver logs. @default "./data" */
  dataDir: z.string().min(1).default('./data'),
  /** postgres://... for PostgreSQL; absent: SQLite file <dataDir>/sparkplane.db */
  databaseUrl: z.string().min(1).optional(),
  /** The first admin token's secret; absent: one is generated on first start and printed once. */
  adminToken: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  /** A token that may only read /metrics (SPARKPLANE_METRICS_TOKEN), e.g. the one a ServiceMonitor holds. @default none */
  metricsToken: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  /**
   * The clusters this runtime manages, declared in a file: then the file is their one source and
   * the API may not change them. @default absent: clusters are managed through the API, and a
   * `local` cluster running spark-submit is created on first start
   */
  clustersFile: z.strictObject({ path: z.string().min(1), clusters: z.array(ClusterSpec).min(1) }).optional(),
  /** Prices for cost: per core-hour and GiB-hour locally, per instance type in the cloud. @default local list prices */
  priceTable: z.unknown().optional(),
  /**
   * The Spark History Server of the runs (SPARKPLANE_HISTORY_SERVER_URL): ended applications link
   * their run there, unless their cluster's settings name one of its own. @default none
   */
  historyServerUrl: HistoryServerUrl.optional(),
  /**
   * Free space the data directory's disk (and the SQLite database's) keeps (SPARKPLANE_MIN_FREE_DISK_MB):
   * below it the runtime is not ready and the local back-end starts nothing. @default 256
   */
  minFreeDiskMiB: z.number().int().min(0).default(256),
  /**
   * The sc:// address clients dial for the runtime's Spark Connect proxy (SPARKPLANE_CONNECT_PUBLIC_URL),
   * shown in each session's connection details. @default "sc://<connect.host or host>:<connect.port or 15002>"
   */
  connectPublicUrl: z
    .string()
    .regex(/^sc:\/\/[^/]+$/, { message: 'is not an address such as "sc://spark.example.com:443"' })
    .optional(),
  /**
   * Jobs as code: the namespace whose SparkJob objects (group sparkplane.io) the runtime makes its
   * jobs, writing back their status (SPARKPLANE_SPARKJOB_NAMESPACE; the cluster of $KUBECONFIG or
   * in-cluster credentials). @default absent: no SparkJob is followed
   */
  sparkJobs: z
    .strictObject({
      namespace: z.string().min(1),
      /** How often every SparkJob's status is refreshed (last and next run). @default 60000 */
      resyncIntervalMs: z.number().int().positive().default(60_000),
    })
    .optional(),
  /** Jupyter notebooks (the kernel gateway of every cluster, see runtime/adapters/notebook/). */
  notebooks: z
    .strictObject({
      /**
       * A kernel without a message to or from it this long is shut down, and its application ends
       * TIMED_OUT (SPARKPLANE_NOTEBOOK_IDLE_MINUTES; fractions allowed). @default 60
       */
      idleTimeoutMinutes: z.number().positive().default(60),
      /**
       * The Python of the virtual environment holding jupyter_kernel_gateway
       * (SPARKPLANE_JUPYTER_PYTHON). @default <project>/.venv/jupyter/bin/python (scripts/python-envs.sh)
       */
      gatewayPython: z.string().min(1).optional(),
    })
    .prefault({}),
  /** Body size limit of the APIs, bytes. @default 1048576 */
  bodyLimitBytes: z.number().int().positive().default(1_048_576),
  /** The sc:// Spark Connect endpoint. @default absent: off, until SPARKPLANE_CONNECT_PORT is set */
  connect: ConnectEndpointConfig.optional(),
});
export type ServiceConfig = z.infer<typeof ServiceConfig>;

export interface ServeOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
}

function readYaml(path: string | undefined, variable: string): unknown {
  if (!path) return undefined;
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${variable}=${path} cannot be read: ${(error as Error).message}`);
  }
}

/**
 * Flags win over the environment: SPARKPLANE_ADMIN_TOKEN, SPARKPLANE_METRICS_TOKEN, SPARKPLANE_DATABASE_URL,
 * SPARKPLANE_CLUSTERS_FILE, SPARKPLANE_PRICES_FILE, SPARKPLANE_HISTORY_SERVER_URL, SPARKPLANE_MIN_FREE_DISK_MB,
 * SPARKPLANE_CONNECT_PORT, SPARKPLANE_CONNECT_HOST, SPARKPLANE_CONNECT_TLS_CERT_FILE, SPARKPLANE_CONNECT_TLS_KEY_FILE,
 * SPARKPLANE_NOTEBOOK_IDLE_MINUTES, SPARKPLANE_JUPYTER_PYTHON, SPARKPLANE_SPARKJOB_NAMESPACE.
 */
export function loadServiceConfig(options: ServeOptions, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const clustersPath = env.SPARKPLANE_CLUSTERS_FILE;
  const clusters = readYaml(clustersPath, 'SPARKPLANE_CLUSTERS_FILE');
  const priceTable = readYaml(env.SPARKPLANE_PRICES_FILE, 'SPARKPLANE_PRICES_FILE');
  const config = parseOrThrow(ServiceConfig, {
    port: options.port,
    host: options.host,
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl ?? env.SPARKPLANE_DATABASE_URL,
    adminToken: env.SPARKPLANE_ADMIN_TOKEN,
    metricsToken: env.SPARKPLANE_METRICS_TOKEN || undefined,
    clustersFile: clustersPath ? { path: clustersPath, clusters } : undefined,
    priceTable,
    historyServerUrl: env.SPARKPLANE_HISTORY_SERVER_URL || undefined,
    minFreeDiskMiB: env.SPARKPLANE_MIN_FREE_DISK_MB ? Number(env.SPARKPLANE_MIN_FREE_DISK_MB) : undefined,
    connect: connectOf(env),
    connectPublicUrl: env.SPARKPLANE_CONNECT_PUBLIC_URL || undefined,
    sparkJobs: env.SPARKPLANE_SPARKJOB_NAMESPACE ? { namespace: env.SPARKPLANE_SPARKJOB_NAMESPACE } : undefined,
    notebooks: {
      idleTimeoutMinutes: env.SPARKPLANE_NOTEBOOK_IDLE_MINUTES
        ? Number(env.SPARKPLANE_NOTEBOOK_IDLE_MINUTES)
        : undefined,
      gatewayPython: env.SPARKPLANE_JUPYTER_PYTHON || undefined,
    },
  });
  return { ...config, dataDir: resolve(config.dataDir) };
}

/** Any SPARKPLANE_CONNECT_* variable turns the endpoint on; then the missing ones are named. */
function connectOf(env: NodeJS.ProcessEnv): unknown {
  const { SPARKPLANE_CONNECT_PORT: port, SPARKPLANE_CONNECT_HOST: host } = env;
  const { SPARKPLANE_CONNECT_TLS_CERT_FILE: tlsCertFile, SPARKPLANE_CONNECT_TLS_KEY_FILE: tlsKeyFile } = env;
  if (!port && !host && !tlsCertFile && !tlsKeyFile) return undefined;
  return {
    port: port && /^\d+$/.test(port) ? Number(port) : port,
    host: host || undefined,
    tlsCertFile: tlsCertFile || undefined,
    tlsKeyFile: tlsKeyFile || undefined,
  };
}

/** The sc:// endpoint's certificate and key, read once at start; an unreadable file names its variable. */
export function connectTlsOf(connect: ConnectEndpointConfig): { cert: Buffer; key: Buffer } {
  const read = (path: string, variable: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`${variable}=${path} cannot be read: ${(error as Error).message}`);
    }
  };
  return {
    cert: read(connect.tlsCertFile, 'SPARKPLANE_CONNECT_TLS_CERT_FILE'),
    key: read(connect.tlsKeyFile, 'SPARKPLANE_CONNECT_TLS_KEY_FILE'),
  };
}

export function databaseUrlOf(config: ServiceConfig): string {
  return config.databaseUrl ?? join(config.dataDir, 'sparkplane.db');
}
