/**
 * What a local application holds while it runs, from the master the back-end gives it: local[N] is
 * one JVM with N task threads; local-cluster[k,c,m] is a driver that runs no tasks plus k executor
 * JVMs of c cores and m MiB. Memory counts each JVM's heap plus Spark's overhead, as on Kubernetes.
 */
import type { Demand } from '../../domain/admission';
import type { ApplicationConfig } from '../../domain/config';
import { parseMemoryMiB } from '../../domain/quantity';
import { chooseMaster, type SparkSubmitInput } from './spark-submit-command';

const DEFAULT_DRIVER_MIB = 1024;

function withOverhead(heapMiB: number): number {
  return heapMiB + Math.max(384, Math.ceil(heapMiB * 0.1));
}

export function localDemand(
  config: ApplicationConfig,
  limits: Pick<SparkSubmitInput, 'maxParallelism' | 'maxExecutorMemoryMiB' | 'localCluster'>,
): Demand {
  const { master } = chooseMaster(config, limits);
  const driverMiB = withOverhead(
    (config.driver?.memory !== undefined ? parseMemoryMiB(config.driver.memory) : undefined) ?? DEFAULT_DRIVER_MIB,
  );
  const cluster = /^local-cluster\[(\d+),(\d+),(\d+)\]$/.exec(master);
  if (cluster) {
    return {
      driver: { cores: 0, memoryMiB: driverMiB },
      executors: {
        count: Number(cluster[1]),
        each: { cores: Number(cluster[2]), memoryMiB: withOverhead(Number(cluster[3])) },
      },
    };
  }
  const threads = Number(/^local\[(\d+)\]$/.exec(master)?.[1] ?? 1);
  return {
    driver: { cores: threads, memoryMiB: driverMiB },
    executors: { count: 0, each: { cores: 0, memoryMiB: 0 } },
  };
}
