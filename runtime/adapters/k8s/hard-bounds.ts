/**
 * What no Kubernetes cluster of sparkplane's can run, whatever its settings: checked before a
 * submission is acknowledged even when the cluster declares no capacity (a declared capacity is
 * tighter and checked by the admission). A pod fits on one node at most: the largest machine the
 * cluster's autoscaler can bring (karpenter: AWS u7in-32tb.224xlarge, 896 vCPUs and 32 TiB; gke:
 * x4-megamem-1920-metal, 1920 vCPUs and 32 TiB). A cluster holds at most 150,000 pods (Kubernetes'
 * documented scalability limit), the driver included.
 */
import type { ApplicationConfig } from '../../domain/config';
import type { FieldIssue } from '../../domain/errors';
import { parseMemoryMiB } from '../../domain/quantity';
import type { KubernetesClusterSettings } from './cluster-settings';

export const LARGEST_NODE = {
  karpenter: { cores: 896, memoryMiB: 32 * 1024 * 1024, name: 'AWS u7in-32tb.224xlarge' },
  gke: { cores: 1920, memoryMiB: 32 * 1024 * 1024, name: 'GCE x4-megamem-1920-metal' },
} as const;

/** Kubernetes' documented limit of pods per cluster. */
export const MAX_PODS_PER_CLUSTER = 150_000;

export function hardBoundIssues(config: ApplicationConfig, settings: KubernetesClusterSettings): FieldIssue[] {
  const node = LARGEST_NODE[settings.autoscaler];
  const where = `the largest node a ${settings.autoscaler} cluster can have (${node.name}); declare the cluster's capacity for its own limits`;
  const issues: FieldIssue[] = [];
  const refuse = (path: string, message: string) =>
    issues.push({ path: `config.${path}`, message: `config.${path}: ${message}` });
  for (const role of ['driver', 'executor'] as const) {
    const pod = config[role];
    if (pod?.cores !== undefined && pod.cores > node.cores) {
      refuse(`${role}.cores`, `${pod.cores} is more than ${node.cores} cores, ${where}`);
    }
    const memoryMiB = pod?.memory !== undefined ? parseMemoryMiB(pod.memory) : undefined;
    if (memoryMiB !== undefined && memoryMiB > node.memoryMiB) {
      refuse(
        `${role}.memory`,
        `${JSON.stringify(pod!.memory)} is more than ${node.memoryMiB / 1024 / 1024} TiB, ${where}`,
      );
    }
  }
  const instances = config.executor?.instances;
  if (instances !== undefined && instances > MAX_PODS_PER_CLUSTER - 1) {
    refuse(
      'executor.instances',
      `${instances} is more than ${MAX_PODS_PER_CLUSTER - 1} executors: a Kubernetes cluster holds at most ${MAX_PODS_PER_CLUSTER} pods, the driver included`,
    );
  }
  return issues;
}
