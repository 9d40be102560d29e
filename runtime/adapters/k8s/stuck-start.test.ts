import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { StuckStartLimits } from './cluster-settings';
import { driverPodViewOf, lastWarningOf, type StuckStartInput, stuckStartReason, withLastWarning } from './stuck-start';

const LIMITS = StuckStartLimits.parse({});
const T0 = Date.parse('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function pod(status: Record<string, unknown>): V1Pod {
  return { metadata: { name: 'a-driver', creationTimestamp: at(0) as unknown as Date }, status } as V1Pod;
}

const pulling = (reason: string, message?: string) =>
  pod({
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: at(5) }],
    containerStatuses: [{ name: 'spark-kubernetes-driver', state: { waiting: { reason, message } } }],
  });

const unschedulable = pod({
  phase: 'Pending',
  conditions: [
    {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: '0/3 nodes are available: 3 Insufficient cpu.',
      lastTransitionTime: at(1),
    },
  ],
});

function input(overrides: Partial<StuckStartInput> & { pod?: V1Pod; atSeconds: number }): StuckStartInput {
  return {
    application: { kind: 'SparkApplication', operatorState: 'SUBMITTED', createdAt: at(0) },
    ...(overrides.pod ? { driverPod: driverPodViewOf(overrides.pod) } : {}),
    nowMs: T0 + overrides.atSeconds * 1000,
    limits: LIMITS,
    queuedByScheduler: false,
    ...overrides,
  };
}

describe('stuckStartReason', () => {
  it('fails an image that cannot be pulled once it has failed for imagePullSeconds since scheduling, with the reason', () => {
    const backOff = pulling('ImagePullBackOff', 'Back-off pulling image "x"');
    expect(stuckStartReason(input({ pod: backOff, atSeconds: 64 }))).toBeUndefined();
    expect(stuckStartReason(input({ pod: backOff, atSeconds: 65 }))).toBe(
      'driver pod: ImagePullBackOff: Back-off pulling image "x"',
    );
    expect(stuckStartReason(input({ pod: pulling('ErrImagePull'), atSeconds: 65 }))).toBe('driver pod: ErrImagePull');
  });

  it('fails an image name no retry can mend at once', () => {
    const invalid = pulling('InvalidImageName', 'Failed to apply default image tag "x:": invalid reference format');
    expect(stuckStartReason(input({ pod: invalid, atSeconds: 6 }))).toBe(
      'driver pod: InvalidImageName: Failed to apply default image tag "x:": invalid reference format',
    );
  });

  it('leaves a pod that is creating its container, or running, alone', () => {
    expect(stuckStartReason(input({ pod: pulling('ContainerCreating'), atSeconds: 10_000 }))).toBeUndefined();
    const running = pod({ phase: 'Running', containerStatuses: [{ state: { running: {} } }] });
    expect(stuckStartReason(input({ pod: running, atSeconds: 10_000 }))).toBeUndefined();
  });

  it('fails a pod unschedulable past unschedulableSeconds, unless a batch scheduler queues it', () => {
    expect(stuckStartReason(input({ pod: unschedulable, atSeconds: 600 }))).toBeUndefined();
    expect(stuckStartReason(input({ pod: unschedulable, atSeconds: 601 }))).toBe(
      'driver pod: Unschedulable for more than 600 s: 0/3 nodes are available: 3 Insufficient cpu.',
    );
    expect(stuckStartReason(input({ pod: unschedulable, atSeconds: 10_000, queuedByScheduler: true }))).toBeUndefined();
  });

  it('fails a driver pod never created within driverPodCreationSeconds of the last submission', () => {
    expect(stuckStartReason(input({ atSeconds: 299 }))).toBeUndefined();
    expect(stuckStartReason(input({ atSeconds: 300 }))).toBe(
      'driver pod: not created within 300 s of the SparkApplication (state SUBMITTED)',
    );
    // resumed after a long queue (Kueue): counted from the new submission
    const resumed = {
      kind: 'SparkApplication' as const,
      operatorState: 'SUBMITTED',
      createdAt: at(0),
      submittedAt: at(5000),
    };
    expect(stuckStartReason(input({ application: resumed, atSeconds: 5200 }))).toBeUndefined();
    const unseen = { kind: 'SparkApplication' as const, operatorState: '', createdAt: at(0) };
    expect(stuckStartReason(input({ application: unseen, atSeconds: 300 }))).toBe(
      'driver pod: not created within 300 s of the SparkApplication (state not seen by spark-operator)',
    );
  });

  it('never fails an application that runs, ended or is suspended on purpose', () => {
    for (const operatorState of ['RUNNING', 'COMPLETED', 'SUSPENDED', 'PENDING_RERUN']) {
      expect(
        stuckStartReason(
          input({ application: { kind: 'SparkApplication', operatorState, createdAt: at(0) }, atSeconds: 10_000 }),
        ),
      ).toBeUndefined();
    }
  });

  it("tells a session's SparkConnect by its server pod, while the operator reports it not ready", () => {
    const connect = { kind: 'SparkConnect' as const, operatorState: 'NotReady', createdAt: at(0) };
    const backOff = pulling('ImagePullBackOff', 'Back-off pulling image "x"');
    expect(stuckStartReason(input({ application: connect, pod: backOff, atSeconds: 65 }))).toBe(
      'server pod: ImagePullBackOff: Back-off pulling image "x"',
    );
    expect(stuckStartReason(input({ application: { ...connect, operatorState: '' }, atSeconds: 300 }))).toBe(
      'server pod: not created within 300 s of the SparkConnect (state not seen by spark-operator)',
    );
    // Ready: its server's answer is session-readiness.ts's to wait for; Failed: it ended
    for (const operatorState of ['Ready', 'Failed']) {
      expect(
        stuckStartReason(input({ application: { ...connect, operatorState }, pod: backOff, atSeconds: 10_000 })),
      ).toBeUndefined();
    }
  });
});

function event(type: string, reason: string, message: string, seconds: number): CoreV1Event {
  return {
    metadata: { name: `e${seconds}` },
    involvedObject: { kind: 'Pod', name: 'a-driver' },
    type,
    reason,
    message,
    lastTimestamp: new Date(at(seconds)),
  };
}

describe('lastWarningOf and withLastWarning', () => {
  // the kubelet's events of an image that does not exist, as kubectl describe lists them
  const pullEvents = [
    event('Normal', 'Pulling', 'Pulling image "x"', 5),
    event('Warning', 'Failed', 'Failed to pull image "x": rpc error: code = NotFound desc = "x": not found', 6),
    event('Warning', 'Failed', 'Error: ErrImagePull', 6),
    event('Normal', 'BackOff', 'Back-off pulling image "x"', 7),
    event('Warning', 'Failed', 'Error: ImagePullBackOff', 7),
  ];

  it('quotes the last Warning that says why, past the kubelet’s bare "Error: <reason>" summaries', () => {
    const warning = lastWarningOf([...pullEvents].reverse());
    expect(warning).toEqual({
      reason: 'Failed',
      message: 'Failed to pull image "x": rpc error: code = NotFound desc = "x": not found',
    });
    expect(withLastWarning('driver pod: ImagePullBackOff: Back-off pulling image "x"', warning)).toBe(
      'driver pod: ImagePullBackOff: Back-off pulling image "x"; last Warning event: Failed: Failed to pull image "x": rpc error: code = NotFound desc = "x": not found',
    );
  });

  it('takes the latest of several, and none when there is no Warning', () => {
    const quota = event('Warning', 'SparkApplicationSubmissionFailed', 'exceeded quota: team-a', 9);
    expect(lastWarningOf([quota, ...pullEvents])?.message).toBe('exceeded quota: team-a');
    expect(lastWarningOf(pullEvents.filter((e) => e.type === 'Normal'))).toBeUndefined();
    expect(withLastWarning('driver pod: ErrImagePull', undefined)).toBe('driver pod: ErrImagePull');
  });

  it('does not repeat what the reason already says', () => {
    const unschedulableReason =
      'driver pod: Unschedulable for more than 600 s: 0/3 nodes are available: 3 Insufficient cpu.';
    const warning = lastWarningOf([
      event('Warning', 'FailedScheduling', '0/3 nodes are available: 3 Insufficient cpu.', 3),
    ]);
    expect(withLastWarning(unschedulableReason, warning)).toBe(unschedulableReason);
  });
});
