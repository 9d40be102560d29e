import { describe, expect, it } from 'vitest';
import { toBackendStatus } from './operator-states';

describe('toBackendStatus', () => {
  it.each([
    [undefined, 'PENDING'],
    ['', 'PENDING'],
    ['SUBMITTED', 'PENDING'],
    ['PENDING_RERUN', 'PENDING'],
    ['INVALIDATING', 'PENDING'],
    ['SUSPENDING', 'PENDING'],
    ['SUSPENDED', 'PENDING'],
    ['RESUMING', 'PENDING'],
    ['RUNNING', 'RUNNING'],
    ['SUCCEEDING', 'RUNNING'],
    ['FAILING', 'RUNNING'],
    ['UNKNOWN', 'RUNNING'],
    ['COMPLETED', 'COMPLETED'],
    ['FAILED', 'FAILED'],
    ['SUBMISSION_FAILED', 'FAILED'],
  ])('maps %s to %s', (operatorState, state) => {
    const status = operatorState === undefined ? undefined : { applicationState: { state: operatorState } };
    expect(toBackendStatus(status).state).toBe(state);
  });

  it("carries the operator's error message and the times that apply", () => {
    expect(
      toBackendStatus({
        applicationState: { state: 'FAILED', errorMessage: 'driver container failed with ExitCode: 1' },
        lastSubmissionAttemptTime: '2026-01-01T00:00:00Z',
        terminationTime: '2026-01-01T00:05:00Z',
      }),
    ).toEqual({
      state: 'FAILED',
      reason: 'driver container failed with ExitCode: 1',
      startedAt: '2026-01-01T00:00:00Z',
      endedAt: '2026-01-01T00:05:00Z',
    });
    expect(toBackendStatus({ applicationState: { state: 'SUBMITTED' }, lastSubmissionAttemptTime: 't' })).toEqual({
      state: 'PENDING',
    });
    expect(toBackendStatus({ applicationState: { state: 'WEIRD' } })).toEqual({
      state: 'RUNNING',
      reason: 'unknown spark-operator state WEIRD',
    });
  });
});
