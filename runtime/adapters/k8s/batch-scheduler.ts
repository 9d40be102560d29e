/**
 * What a SparkApplication carries for the cluster's batch scheduler (settings.batchScheduler), so
 * that it queues and gang-admits the application. Pure, applied to the rendered resource:
 * - kueue: the `kueue.x-k8s.io/queue-name` label (and `kueue.x-k8s.io/priority-class`). Kueue's
 *   SparkApplication integration suspends it and admits driver and executors as one Workload.
 * - yunikorn: `spec.batchScheduler: yunikorn`, the queue, and the task groups YuniKorn reserves
 *   before the driver starts: driver (1) and executors (minMember = initial executors), each with
 *   its requests and placement, as spark-operator's own yunikorn plugin writes them (so that the
 *   gang holds with YuniKorn's admission controller alone too).
 * - volcano: `spec.batchScheduler: volcano` and `batchSchedulerOptions` (queue, priorityClassName):
 *   spark-operator creates the PodGroup itself (minMember 1, minResources = driver + initial executors).
 */
import { DomainError } from '../../domain/errors';
import { parseCpuMillis, parseMemoryMiB } from '../../domain/quantity';
import type { BatchSchedulerSettings } from './cluster-settings';
import type { SparkApplication, SparkApplicationSpec, SparkPodSpec } from './spark-application';

export const KUEUE_LABELS = {
  queueName: 'kueue.x-k8s.io/queue-name',
  priorityClass: 'kueue.x-k8s.io/priority-class',
} as const;

export const YUNIKORN_ANNOTATIONS = {
  taskGroupName: 'yunikorn.apache.org/task-group-name',
  taskGroups: 'yunikorn.apache.org/task-groups',
} as const;

/** The names spark-operator's yunikorn plugin gives the groups (it may rewrite ours: the same). */
const TASK_GROUPS = { driver: 'spark-driver', executor: 'spark-executor' } as const;

const MIN_OVERHEAD_MIB = 384;

/** One YuniKorn task group (yunikorn-k8shim's TaskGroup). */
export interface TaskGroup {
  name: string;
  minMember: number;
  minResource: { cpu: string; memory: string };
  nodeSelector?: Record<string, string>;
  tolerations?: SparkPodSpec['tolerations'];
  affinity?: SparkPodSpec['affinity'];
  labels?: Record<string, string>;
}

/** What a pod requests, as Spark sets it: cores (or coreRequest), heap plus overhead. */
function podRequests(pod: SparkPodSpec, spec: SparkApplicationSpec): TaskGroup['minResource'] {
  const millis =
    (pod.coreRequest !== undefined ? parseCpuMillis(pod.coreRequest) : undefined) ?? (pod.cores ?? 1) * 1000;
  const heap = parseMemoryMiB(pod.memory ?? '1g') ?? 1024;
  // Spark's default overhead factor is 0.4 for Python and R (non-JVM) applications, 0.1 otherwise
  const factor = Number(spec.memoryOverheadFactor ?? (spec.type === 'Python' || spec.type === 'R' ? 0.4 : 0.1));
  const explicit = pod.memoryOverhead !== undefined ? parseMemoryMiB(pod.memoryOverhead) : undefined;
  const overhead = explicit ?? Math.max(MIN_OVERHEAD_MIB, Math.ceil(heap * factor));
  return { cpu: `${millis}m`, memory: `${heap + overhead}Mi` };
}

/** Spark's initial executors: the instances, or with dynamic allocation the largest of initial, min and instances. */
export function initialExecutorsOf(spec: SparkApplicationSpec): number {
  const dynamic = spec.dynamicAllocation;
  const instances = spec.executor.instances ?? 0;
  if (!dynamic?.enabled) return instances;
  return Math.max(dynamic.initialExecutors ?? 0, dynamic.minExecutors ?? 0, instances);
}

function taskGroup(name: string, minMember: number, pod: SparkPodSpec, spec: SparkApplicationSpec): TaskGroup {
  return {
    name,
    minMember,
    minResource: podRequests(pod, spec),
    ...(pod.nodeSelector ? { nodeSelector: pod.nodeSelector } : {}),
    ...(pod.tolerations ? { tolerations: pod.tolerations } : {}),
    ...(pod.affinity ? { affinity: pod.affinity } : {}),
    ...(pod.labels ? { labels: pod.labels } : {}),
  };
}

/** The driver and (when it starts with any) executor task groups of a rendered spec. */
export function yunikornTaskGroups(spec: SparkApplicationSpec): TaskGroup[] {
  const executors = initialExecutorsOf(spec);
  return [
    taskGroup(TASK_GROUPS.driver, 1, spec.driver, spec),
    // a minMember of 0 is no valid task group: without initial executors only the driver is reserved
    ...(executors > 0 ? [taskGroup(TASK_GROUPS.executor, executors, spec.executor, spec)] : []),
  ];
}

/** The resource with what `scheduler` needs, or a VALIDATION_FAILED naming what it cannot admit. */
export function withBatchScheduler(resource: SparkApplication, scheduler: BatchSchedulerSettings): SparkApplication {
  const { spec, metadata } = resource;
  const { queue, priorityClassName } = scheduler;
  switch (scheduler.kind) {
    case 'kueue': {
      if (spec.dynamicAllocation?.enabled) {
        const path = 'sparkConf.spark.dynamicAllocation.enabled';
        const message = `"true" cannot run on this cluster: Kueue (its batchScheduler) admits a SparkApplication with a fixed number of executors only; set executor.instances instead`;
        throw new DomainError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);
      }
      const labels = {
        ...metadata.labels,
        [KUEUE_LABELS.queueName]: queue,
        ...(priorityClassName ? { [KUEUE_LABELS.priorityClass]: priorityClassName } : {}),
      };
      return { ...resource, metadata: { ...metadata, labels } };
    }
    case 'yunikorn': {
      const groups = yunikornTaskGroups(spec);
      const priority = priorityClassName ? { priorityClassName } : {};
      return {
        ...resource,
        spec: {
          ...spec,
          batchScheduler: 'yunikorn',
          batchSchedulerOptions: { queue },
          driver: {
            ...spec.driver,
            ...priority,
            annotations: {
              ...spec.driver.annotations,
              [YUNIKORN_ANNOTATIONS.taskGroupName]: TASK_GROUPS.driver,
              // only the first pod of the application (the driver) needs the definitions
              [YUNIKORN_ANNOTATIONS.taskGroups]: JSON.stringify(groups),
            },
          },
          executor: {
            ...spec.executor,
            ...priority,
            annotations: { ...spec.executor.annotations, [YUNIKORN_ANNOTATIONS.taskGroupName]: TASK_GROUPS.executor },
          },
        },
      };
    }
    case 'volcano':
      return {
        ...resource,
        spec: {
          ...spec,
          batchScheduler: 'volcano',
          batchSchedulerOptions: { queue, ...(priorityClassName ? { priorityClassName } : {}) },
        },
      };
  }
}
