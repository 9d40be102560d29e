/**
 * Whether an application that has not started is stuck: its driver's image cannot be pulled, its
 * driver pod stays unschedulable, or spark-operator never creates the driver pod, each past its
 * limit (StuckStartLimits). A session's SparkConnect is told the same way by its server pod. Pure: the back-end gives it what its watches saw and the clock, and
 * fails the application with the reason it returns.
 */
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { KubernetesClusterSettings, StuckStartLimits } from './cluster-settings';
import type { SparkApplication } from './spark-application';
import type { SparkConnectObject } from './spark-connect';

/** What matters of a driver pod here, kept per application while the watch sees the pod. */
export interface DriverPodView {
  name: string;
  /** status.phase, e.g. "Pending". */
  phase?: string;
  /** The PodScheduled condition, when the scheduler has written it. */
  scheduled?: { status: string; reason?: string; message?: string; since?: string };
  /** Containers (init containers included) waiting, with the kubelet's reason, e.g. ImagePullBackOff. */
  waiting: { reason: string; message?: string }[];
  /** status.startTime: when the kubelet took the pod. */
  startTime?: string;
  createdAt?: string;
}

/** What matters of a SparkApplication (or a session's SparkConnect) that has not started. */
export interface StartingApplication {
  kind: 'SparkApplication' | 'SparkConnect';
  /** status.applicationState.state, a SparkConnect's status.state ("" before spark-operator sees it). */
  operatorState: string;
  /** metadata.creationTimestamp. */
  createdAt?: string;
  /** status.lastSubmissionAttemptTime: when spark-operator last ran spark-submit (which creates the driver pod). */
  submittedAt?: string;
}

export interface StuckStartInput {
  application: StartingApplication;
  /** Its driver pod; undefined when the pod watch has listed and holds none. */
  driverPod?: DriverPodView;
  nowMs: number;
  limits: StuckStartLimits;
  /** A batch scheduler queues the pods: an unschedulable pod is waiting its turn, not stuck. */
  queuedByScheduler: boolean;
}

/** Whether the cluster's batch scheduler queues pods: their queues hold pods unschedulable on purpose; Kueue holds the SparkApplication suspended instead. */
export function queuedByScheduler(settings: Pick<KubernetesClusterSettings, 'batchScheduler'>): boolean {
  return settings.batchScheduler !== undefined && settings.batchScheduler.kind !== 'kueue';
}

/** The kubelet's reasons for an image it cannot pull, and those no retry can mend. */
const PULL_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'ImageInspectError', 'RegistryUnavailable']);
const PERMANENT_PULL_FAILURES = new Set(['InvalidImageName', 'ErrImageNeverPull']);
/** Operator states before the driver (server) pod runs: the others are running, ended, or held on purpose (suspended by Kueue). */
const NOT_STARTED = {
  SparkApplication: new Set(['', 'NEW', 'SUBMITTED']),
  SparkConnect: new Set(['', 'Provisioning', 'NotReady']),
};
const POD_OF = { SparkApplication: 'driver pod', SparkConnect: 'server pod' };

export function startingApplicationOf(resource: SparkApplication): StartingApplication {
  const submittedAt = resource.status?.lastSubmissionAttemptTime;
  const createdAt = resource.metadata.creationTimestamp;
  return {
    kind: 'SparkApplication',
    operatorState: resource.status?.applicationState?.state ?? '',
    ...(createdAt ? { createdAt } : {}),
    ...(submittedAt ? { submittedAt } : {}),
  };
}

/** The operator creates a SparkConnect's server pod itself, as it reconciles the resource (no spark-submit). */
export function startingConnectOf(resource: SparkConnectObject): StartingApplication {
  const createdAt = resource.metadata.creationTimestamp;
  return { kind: 'SparkConnect', operatorState: resource.status?.state ?? '', ...(createdAt ? { createdAt } : {}) };
}

export function driverPodViewOf(pod: V1Pod): DriverPodView {
  const condition = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const since = condition?.lastTransitionTime;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const createdAt = pod.metadata?.creationTimestamp;
  const startTime = pod.status?.startTime;
  return {
    name: pod.metadata?.name ?? '',
    ...(pod.status?.phase ? { phase: pod.status.phase } : {}),
    ...(condition
      ? {
          scheduled: {
            status: condition.status,
            ...(condition.reason ? { reason: condition.reason } : {}),
            ...(condition.message ? { message: condition.message } : {}),
            ...(since ? { since: new Date(since).toISOString() } : {}),
          },
        }
      : {}),
    waiting: statuses.flatMap((s) => {
      const waiting = s.state?.waiting;
      return waiting?.reason
        ? [{ reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) }]
        : [];
    }),
    ...(startTime ? { startTime: new Date(startTime).toISOString() } : {}),
    ...(createdAt ? { createdAt: new Date(createdAt).toISOString() } : {}),
  };
}

/** Milliseconds since `iso`, or undefined when it is unknown. */
function elapsedMs(nowMs: number, ...candidates: (string | undefined)[]): number | undefined {
  const times = candidates.filter((c): c is string => c !== undefined).map(Date.parse);
  return times.length === 0 ? undefined : nowMs - Math.max(...times);
}

/** The reason the application is stuck (e.g. `driver pod: ImagePullBackOff: Back-off pulling image "x"`), else undefined. */
export function stuckStartReason(input: StuckStartInput): string | undefined {
  const { application, driverPod: pod, nowMs, limits } = input;
  if (!NOT_STARTED[application.kind].has(application.operatorState)) return undefined;
  const podOf = POD_OF[application.kind];
  if (!pod) {
    // spark-submit creates the pod: counted from the last submission, so a resumed application starts afresh
    const waited = elapsedMs(nowMs, application.createdAt, application.submittedAt);
    if (waited === undefined || waited < limits.driverPodCreationSeconds * 1000) return undefined;
    const state = application.operatorState || 'not seen by spark-operator';
    return `${podOf}: not created within ${limits.driverPodCreationSeconds} s of the ${application.kind} (state ${state})`;
  }
  if (pod.phase !== undefined && pod.phase !== 'Pending') return undefined;
  const describe = (reason: string, message: string | undefined) =>
    `${podOf}: ${reason}${message ? `: ${message}` : ''}`;
  const permanent = pod.waiting.find((w) => PERMANENT_PULL_FAILURES.has(w.reason));
  if (permanent) return describe(permanent.reason, permanent.message);
  const pull = pod.waiting.find((w) => PULL_FAILURES.has(w.reason));
  if (pull) {
    // pulling starts once the pod is on a node
    const scheduledAt = pod.scheduled?.status === 'True' ? pod.scheduled.since : undefined;
    const failing = elapsedMs(nowMs, scheduledAt ?? pod.startTime ?? pod.createdAt);
    if (failing === undefined || failing >= limits.imagePullSeconds * 1000) return describe(pull.reason, pull.message);
    return undefined;
  }
  const scheduled = pod.scheduled;
  if (!input.queuedByScheduler && scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    const waited = elapsedMs(nowMs, scheduled.since ?? pod.createdAt);
    if (waited !== undefined && waited >= limits.unschedulableSeconds * 1000) {
      return describe(`Unschedulable for more than ${limits.unschedulableSeconds} s`, scheduled.message);
    }
  }
  return undefined;
}

/** A Warning event's words. */
export interface WarningEvent {
  reason?: string;
  message: string;
}

/**
 * The kubelet's summary of a failed start, e.g. "Error: ImagePullBackOff", repeats the pod's
 * waiting reason; the Warning before it says why ("Failed to pull image ...: not found").
 */
const BARE_ERROR = /^Error: \w+$/;

/**
 * The latest telling Warning event of the application and its pod, else undefined: what the
 * kubelet or the operator said last about why it cannot start (a pull error from the registry, a
 * ResourceQuota refusal), often more than the pod's waiting reason.
 */
export function lastWarningOf(events: readonly CoreV1Event[]): WarningEvent | undefined {
  let last: CoreV1Event | undefined;
  let lastAt = -Infinity;
  for (const event of events) {
    if (event.type !== 'Warning' || !event.message || BARE_ERROR.test(event.message)) continue;
    const at = new Date(event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp ?? 0).getTime();
    if (at >= lastAt) [last, lastAt] = [event, at];
  }
  return last && { ...(last.reason ? { reason: last.reason } : {}), message: last.message! };
}

/** The stuck reason with the last Warning event, unless the reason already says what it says. */
export function withLastWarning(reason: string, warning: WarningEvent | undefined): string {
  if (warning === undefined || reason.includes(warning.message)) return reason;
  return `${reason}; last Warning event: ${warning.reason ? `${warning.reason}: ` : ''}${warning.message}`;
}
