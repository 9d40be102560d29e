/**
 * The planner counts what the pods request: for each config, the Kubernetes back-end's demand
 * equals the sum of the requests of the pods Spark makes from the rendered SparkApplication.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApplicationConfig } from '../../domain/config';
import { parseCpuMillis, parseMemoryMiB } from '../../domain/quantity';
import { totalOf } from '../../scheduling/demand';
import { KubernetesClusterSettings } from './cluster-settings';
import { KubernetesSparkBackend } from './kubernetes-backend';
import { renderSparkApplication } from './render';
import type { SparkApplication, SparkPodSpec } from './spark-application';

/**
 * A pod's requests as Spark on Kubernetes sets them (BasicDriverFeatureStep, BasicExecutorFeatureStep):
 * CPU the coreRequest, else the cores; memory the heap plus the overhead, else max(384 MiB, factor x
 * heap), the factor 0.4 for a Python application unless the spec sets one, else 0.1.
 */
function podRequests(spec: SparkApplication['spec'], pod: SparkPodSpec): { cores: number; memoryMiB: number } {
  const heap = parseMemoryMiB(pod.memory!)!;
  const factor = Number(spec.memoryOverheadFactor ?? (spec.type === 'Python' ? 0.4 : 0.1));
  const overhead =
    pod.memoryOverhead !== undefined ? parseMemoryMiB(pod.memoryOverhead)! : Math.max(384, Math.ceil(heap * factor));
  return {
    cores: pod.coreRequest !== undefined ? parseCpuMillis(pod.coreRequest)! / 1000 : pod.cores!,
    memoryMiB: heap + overhead,
  };
}

/** Spark's initial executors of the rendered spec: the instances, or under dynamic allocation the largest of initial, min and instances. */
function executorCount(spec: SparkApplication['spec']): number {
  const dynamic = spec.dynamicAllocation;
  if (!dynamic?.enabled) return spec.executor.instances ?? 0;
  const min = dynamic.minExecutors ?? 0;
  return Math.max(dynamic.initialExecutors ?? min, min, spec.executor.instances ?? 0);
}

const PY = 'local:///opt/spark/examples/src/main/python/pi.py';
const JAR = 'local:///opt/spark/examples/jars/spark-examples.jar';
const CONFIGS: Record<string, ApplicationConfig> = {
  'nothing sized (Python)': { mainApplicationFile: PY },
  'nothing sized (Scala)': { mainApplicationFile: JAR, mainClass: 'org.apache.spark.examples.SparkPi' },
  'cores only': { mainApplicationFile: PY, driver: { cores: 2 }, executor: { cores: 3, instances: 2 } },
  'memory and overhead': {
    type: 'Scala',
    mainApplicationFile: JAR,
    driver: { memory: '3g', memoryOverhead: '512m' },
    executor: { memory: '10g', instances: 4 },
  },
  'an overhead factor': { mainApplicationFile: PY, memoryOverheadFactor: '0.25', executor: { memory: '6g' } },
  'core requests': {
    mainApplicationFile: PY,
    driver: { cores: 1, coreRequest: '500m' },
    executor: { cores: 4, coreRequest: '3500m', instances: 3 },
  },
  'dynamic allocation': {
    mainApplicationFile: PY,
    sparkConf: { 'spark.dynamicAllocation.enabled': 'true', 'spark.dynamicAllocation.minExecutors': '2' },
  },
  'dynamic allocation, initial above min': {
    mainApplicationFile: PY,
    sparkConf: {
      'spark.dynamicAllocation.enabled': 'TRUE',
      'spark.dynamicAllocation.minExecutors': '1',
      'spark.dynamicAllocation.initialExecutors': '5',
    },
  },
  'driver only': { mainApplicationFile: PY, executor: { instances: 0 } },
};

describe('the kubernetes back-end’s demand', () => {
  const settings = KubernetesClusterSettings.parse({});
  // never started: demandOf reads nothing of the cluster
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromClusterAndUser(
    { name: 'dev', server: 'https://127.0.0.1:9', skipTLSVerify: false },
    { name: 'test' },
  );
  const backend = new KubernetesSparkBackend({ clusterId: 'dev', kubeConfig, settings });
  afterAll(() => backend.close());

  it.each(Object.entries(CONFIGS))('equals the rendered pods’ requests: %s', (_, config) => {
    const { spec } = renderSparkApplication(config, { appId: 'demand-1', clusterId: 'dev', settings });
    const driver = podRequests(spec, spec.driver);
    const executor = podRequests(spec, spec.executor);
    const count = executorCount(spec);
    const demand = backend.demandOf(config);
    expect(demand).toEqual({ driver, executors: { count, each: executor } });
    expect(totalOf(demand)).toEqual({
      cores: driver.cores + count * executor.cores,
      memoryMiB: driver.memoryMiB + count * executor.memoryMiB,
    });
  });
});
