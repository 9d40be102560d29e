/** The `local` back-end kind: its cluster settings and how a cluster's back-end is built. */
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { admissionSettingsShape } from '../../domain/admission';
import { localKnobs } from '../../domain/backend-knobs';
import type { BackendPlugin } from '../../domain/ports';
import { parseMemoryMiB } from '../../domain/quantity';
import { LocalSparkBackend } from './local-spark-backend';

/** Settings of a `local` cluster, as stored in its `settings`. */
export const LocalClusterSettings = z.strictObject({
  ...admissionSettingsShape,
  /** Most cores one application may use: caps local[N] and local-cluster[...]. @default os.availableParallelism(), at most capacity.cores */
  maxParallelism: z.number().int().min(1).optional(),
  /** Largest executor memory in local-cluster mode, in MiB (Spark refuses executors under 450 MiB). @default 2048 */
  maxExecutorMemoryMiB: z.number().int().min(512).default(2048),
  /** Run applications asking for 2+ executors as local-cluster[...] (one JVM per executor). @default true */
  localCluster: z.boolean().default(true),
  /**
   * The address the applications' drivers, block managers and UIs bind to and advertise
   * (SPARK_LOCAL_IP, spark.driver.host, spark.driver.bindAddress). An application's own sparkConf
   * `spark.driver.host` / `spark.driver.bindAddress` (and driver envVars SPARK_LOCAL_IP) win.
   * @default "127.0.0.1": nothing of Spark listens beyond this machine
   */
  bindAddress: z
    .string()
    .refine((value) => isIP(value) !== 0, { message: 'is not an IP address such as "127.0.0.1"' })
    .default('127.0.0.1'),
  /** Seconds between SIGTERM and SIGKILL when stopping an application. @default 10 */
  killGraceSeconds: z.number().int().min(0).default(10),
});
export type LocalClusterSettings = z.infer<typeof LocalClusterSettings>;

/** Where Spark is installed on this machine (see runtime/main/spark-install.ts). */
export interface LocalSparkInstall {
  sparkHome: string;
  javaHome?: string;
  /** The Python of PySpark drivers and workers. */
  pythonPath?: string;
}

export interface LocalBackendOptions {
  /** Finds the Spark install; called each time a local cluster is created, so a runtime without local clusters needs none. */
  spark: () => LocalSparkInstall;
}

export function localBackend(options: LocalBackendOptions): BackendPlugin<LocalClusterSettings, LocalSparkBackend> {
  return {
    kind: 'local',
    description: 'spark-submit on this machine',
    settings: LocalClusterSettings,
    create: (cluster, context) => {
      const { capacity, quotas: _quotas, ...settings } = cluster.settings;
      return new LocalSparkBackend({
        ...options.spark(),
        ...settings,
        // the schema checked the quantity
        ...(capacity ? { capacity: { cores: capacity.cores, memoryMiB: parseMemoryMiB(capacity.memory)! } } : {}),
        clusterId: cluster.id,
        dataDir: context.dataDir,
        ...(context.minFreeDiskMiB !== undefined ? { minFreeDiskMiB: context.minFreeDiskMiB } : {}),
        clock: context.clock,
        logger: context.logger,
      });
    },
    tuningKnobs: (settings) => {
      const capacity = settings.capacity;
      const machine = availableParallelism();
      return localKnobs({
        // as the back-end caps local[N]: its own setting, the machine and the declared capacity
        maxParallelism: Math.max(
          1,
          Math.floor(Math.min(settings.maxParallelism ?? machine, capacity?.cores ?? machine)),
        ),
        ...(capacity ? { maxDriverMemoryMiB: parseMemoryMiB(capacity.memory)! } : {}),
      });
    },
  };
}
