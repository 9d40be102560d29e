/**
 * The SparkSession settings of a notebook kernel: a pure function of the application's effective
 * config. On this wave the kernel's driver runs beside the runtime with a local master, whatever
 * the cluster's back-end: local[N] with N the executors' cores (capped by this machine), the
 * driver bound to loopback, and the event log in the runtime's directory so the run is measured.
 */
import type { ApplicationConfig } from '../../domain/config';
import { parseMemoryMiB, toSparkMemory } from '../../domain/quantity';
import { sparkBinding } from '../local/spark-submit-command';

export interface KernelSparkInput {
  appId: string;
  config: ApplicationConfig;
  eventLogDir: string;
  /** Most cores the kernel's local master may use. */
  maxParallelism: number;
  bindAddress: string;
}

export function kernelSparkConf(input: KernelSparkInput): Record<string, string> {
  const { config } = input;
  const executor = config.executor ?? {};
  const driver = config.driver ?? {};
  const wanted = (executor.instances ?? 1) * (executor.cores ?? 1);
  const cores = Math.max(1, Math.min(input.maxParallelism, wanted));
  const conf: Record<string, string> = { 'spark.app.name': input.appId };
  for (const [key, value] of Object.entries(config.sparkConf ?? {})) conf[key] = value;
  for (const [key, value] of Object.entries(config.hadoopConf ?? {})) conf[`spark.hadoop.${key}`] = value;
  const memoryMiB = driver.memory !== undefined ? parseMemoryMiB(driver.memory) : undefined;
  if (memoryMiB !== undefined) conf['spark.driver.memory'] = toSparkMemory(memoryMiB);
  if (driver.javaOptions) conf['spark.driver.extraJavaOptions'] = driver.javaOptions;
  return {
    ...conf,
    ...sparkBinding(input.bindAddress).conf,
    // ours whatever the config says: where it runs, and the event log the runtime measures
    'spark.master': `local[${cores}]`,
    // the application's id names the event log file; a restarted kernel's driver writes it anew
    'spark.app.id': input.appId,
    'spark.eventLog.enabled': 'true',
    'spark.eventLog.dir': input.eventLogDir,
    'spark.eventLog.overwrite': 'true',
    'spark.eventLog.logStageExecutorMetrics': 'true',
    'spark.eventLog.compress': 'false',
    'spark.ui.enabled': 'false',
  };
}
