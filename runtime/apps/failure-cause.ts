/**
 * Why a failed application failed, from what its back-end left: its state reason, the end of its
 * driver log, its Kubernetes events and its Spark event log (task failure and executor-removed
 * reasons). Pure: the retries read the evidence and call this.
 *
 * Order matters: an explicit out-of-memory (OutOfMemoryError, OOMKilled, memory limits exceeded) is
 * out-of-memory; else evidence of node removal or decommission is a spot interruption (its pods are
 * SIGKILLed too, so a bare exit 137 must not be read as out-of-memory then); else a bare exit 137
 * (the kernel's OOM killer) is out-of-memory; anything else is the application's own failure.
 * A driver that never started (its image cannot be pulled, its pod unschedulable or never created:
 * the Kubernetes back-end's stuck starts) failed to start, not to run: it counts as a submission
 * failure, retried under the policy's submission counts, never as the application's.
 */
import type { FailureCause } from '../domain/recovery';

export interface FailureEvidence {
  /** The application's state reason (driver exit code and exception, the operator's message). */
  reason?: string;
  /** The end of its driver log. */
  driverLog?: readonly string[];
  /** Kubernetes events of the application and its pods. */
  kubeEvents?: readonly string[];
  /** Lines of its Spark event log (JSON, one event a line). */
  eventLog?: readonly string[];
}

const EXPLICIT_OOM = /java\.lang\.OutOfMemoryError|OOMKilled|exceeding memory limits|Container killed .*memory/i;
const BARE_137 = /exit(?:ed with)? code[:= ]*137\b|exitCode[": ]+137\b/i;
const SPOT =
  /decommission|node (?:was )?(?:removed|deleted|terminated|shut ?down)|NodeShutdown|spot (?:instance )?interruption|preempt|DisruptionTarget|Terminated by node shutdown/i;
/** Kubernetes' words for a driver pod that never ran, in the state reason a stuck start gives. */
const NEVER_STARTED =
  /^driver pod: (?:ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull|ImageInspectError|RegistryUnavailable|Unschedulable|not created)\b/;
/** The failure was an executor's (a task, a lost executor), not the driver's own. */
const EXECUTOR_SIDE = /executor|Lost task|stage failure|TaskEnd|ExecutorLostFailure|exec-\d|-exec-/i;

interface Line {
  text: string;
  source: string;
}

/** Whether an event log line says why a task failed or an executor went: only those are evidence. */
export function isFailureEvidence(line: string): boolean {
  return (
    (line.includes('"SparkListenerTaskEnd"') && !line.includes('"Reason":"Success"')) ||
    line.includes('"SparkListenerExecutorRemoved"')
  );
}

function trim(text: string): string {
  const line = text.trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

export function classifyFailure(evidence: FailureEvidence): FailureCause {
  const lines: Line[] = [
    ...(evidence.reason !== undefined ? [{ text: evidence.reason, source: 'state reason' }] : []),
    ...(evidence.driverLog ?? []).map((text) => ({ text, source: 'driver log' })),
    ...(evidence.kubeEvents ?? []).map((text) => ({ text, source: 'Kubernetes event' })),
    ...(evidence.eventLog ?? []).filter(isFailureEvidence).map((text) => ({ text, source: 'event log' })),
  ];
  const first = (pattern: RegExp) => lines.find((line) => pattern.test(line.text));
  const cause = (kind: FailureCause['kind'], line: Line, component?: 'driver' | 'executor'): FailureCause => ({
    kind,
    ...(component ? { component } : {}),
    evidence: `${line.source}: ${trim(line.text)}`,
  });

  if (evidence.reason !== undefined && NEVER_STARTED.test(evidence.reason)) {
    return { kind: 'submission', component: 'driver', evidence: `state reason: ${trim(evidence.reason)}` };
  }
  const oom = first(EXPLICIT_OOM);
  if (oom) return cause('outOfMemory', oom, componentOf(lines, EXPLICIT_OOM));
  const spot = first(SPOT);
  if (spot) return cause('spotInterruption', spot, EXECUTOR_SIDE.test(spot.text) ? 'executor' : 'driver');
  const killed = first(BARE_137);
  if (killed) return cause('outOfMemory', killed, componentOf(lines, BARE_137));
  const reason = evidence.reason ?? 'no reason was reported';
  return { kind: 'application', evidence: `state reason: ${trim(reason)}` };
}

/**
 * The driver ran out when one of its own lines says so without naming an executor (its exception,
 * its container OOMKilled); else the executors did.
 */
function componentOf(lines: readonly Line[], pattern: RegExp): 'driver' | 'executor' {
  const matching = lines.filter((line) => pattern.test(line.text));
  const driverOwn = matching.some((line) => line.source !== 'event log' && !EXECUTOR_SIDE.test(line.text));
  return driverOwn ? 'driver' : 'executor';
}
