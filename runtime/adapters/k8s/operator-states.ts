/** spark-operator application states -> the runtime's AppState. */
import type { BackendStatus } from '../../domain/ports';
import type { AppState } from '../../domain/states';
import type { SparkApplicationStatus } from './spark-application';

/**
 * Why each state maps where it does. With restartPolicy Never the operator never reruns, so
 * FAILED and SUBMISSION_FAILED are final; the transient states keep the application alive.
 */
const STATE_MAP: Record<string, AppState> = {
  '': 'PENDING', // the operator has not seen the object yet
  NEW: 'PENDING',
  SUBMITTED: 'PENDING', // spark-submit ran; the driver pod may still wait for a node
  PENDING_RERUN: 'PENDING',
  INVALIDATING: 'PENDING', // the spec changed; the operator resubmits
  // spec.suspend: Kueue holds the application so until it admits it (a queue, not an ending)
  SUSPENDING: 'PENDING',
  SUSPENDED: 'PENDING',
  RESUMING: 'PENDING',
  RUNNING: 'RUNNING',
  SUCCEEDING: 'RUNNING', // the driver exited 0; executors are being cleaned up
  FAILING: 'RUNNING', // the driver failed; the operator has not concluded yet
  UNKNOWN: 'RUNNING', // the driver pod's state is unknown (node lost): not an ending
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  SUBMISSION_FAILED: 'FAILED',
};

/** The runtime's view of a SparkApplication's status; the operator's errorMessage is the reason. */
export function toBackendStatus(status: SparkApplicationStatus | undefined): BackendStatus {
  const operatorState = status?.applicationState?.state ?? '';
  const state = STATE_MAP[operatorState] ?? 'RUNNING';
  const reason =
    status?.applicationState?.errorMessage ||
    (STATE_MAP[operatorState] === undefined ? `unknown spark-operator state ${operatorState}` : undefined);
  const started = state !== 'PENDING' ? status?.lastSubmissionAttemptTime : undefined;
  const ended = state === 'COMPLETED' || state === 'FAILED' ? status?.terminationTime : undefined;
  return {
    state,
    ...(reason ? { reason } : {}),
    ...(started ? { startedAt: started } : {}),
    ...(ended ? { endedAt: ended } : {}),
  };
}
