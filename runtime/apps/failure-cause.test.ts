import { describe, expect, it } from 'vitest';
import { classifyFailure } from './failure-cause';

describe('classifyFailure', () => {
  it('reads a driver heap exhausted from its own exception as out-of-memory of the driver', () => {
    const cause = classifyFailure({
      reason: 'exit code 1: java.lang.OutOfMemoryError: Java heap space',
      driverLog: ['26/11/24 04:57:36 INFO SparkContext: Running Spark version 4.0.1'],
    });
    expect(cause).toEqual({
      kind: 'outOfMemory',
      component: 'driver',
      evidence: 'state reason: exit code 1: java.lang.OutOfMemoryError: Java heap space',
    });
  });

  it('reads a task failed for memory in the event log as out-of-memory of the executors', () => {
    const taskEnd = JSON.stringify({
      Event: 'SparkListenerTaskEnd',
      'Task End Reason': { Reason: 'ExceptionFailure', 'Class Name': 'java.lang.OutOfMemoryError' },
    });
    const success = JSON.stringify({ Event: 'SparkListenerTaskEnd', 'Task End Reason': { Reason: 'Success' } });
    const cause = classifyFailure({
      reason: 'exit code 1: org.apache.spark.SparkException: Job aborted',
      eventLog: [success, taskEnd],
    });
    expect(cause.kind).toBe('outOfMemory');
    expect(cause.component).toBe('executor');
    expect(cause.evidence).toMatch(/^event log: .*OutOfMemoryError/);
  });

  it('reads OOMKilled on the driver pod from Kubernetes events as the driver', () => {
    const cause = classifyFailure({
      reason: 'driver container failed',
      kubeEvents: ['Pod app-1-driver: container spark-kubernetes-driver terminated: OOMKilled (exit code 137)'],
    });
    expect(cause).toMatchObject({ kind: 'outOfMemory', component: 'driver' });
  });

  it('reads executors lost with exit code 137 as out-of-memory of the executors', () => {
    const cause = classifyFailure({
      reason: 'exit code 1: org.apache.spark.SparkException: Job aborted due to stage failure',
      driverLog: [
        '26/11/24 04:57:36 ERROR TaskSchedulerImpl: Lost executor 1: The executor with id 1 exited with exit code 137.',
      ],
    });
    expect(cause).toMatchObject({ kind: 'outOfMemory', component: 'executor' });
  });

  it('tells a spot interruption apart, even though its pods die with exit 137', () => {
    const removed = JSON.stringify({
      Event: 'SparkListenerExecutorRemoved',
      'Executor ID': '2',
      'Removed Reason': 'Executor decommission: spot instance interruption',
    });
    const cause = classifyFailure({
      reason: 'exit code 1: org.apache.spark.SparkException: Job aborted due to stage failure',
      driverLog: ['26/11/24 ERROR TaskSchedulerImpl: Lost executor 2: exited with exit code 137.'],
      eventLog: [removed],
    });
    expect(cause.kind).toBe('spotInterruption');
    expect(cause.component).toBe('executor');
  });

  it('reads a driver that never started (image pull, unschedulable, never created) as a submission failure', () => {
    for (const reason of [
      'driver pod: ImagePullBackOff: Back-off pulling image "registry.example/spark:nope"',
      'driver pod: InvalidImageName: Failed to apply default image tag',
      'driver pod: Unschedulable for more than 600 s: 0/3 nodes are available: 3 Insufficient cpu.',
      'driver pod: not created within 300 s of the SparkApplication (state SUBMITTED)',
    ]) {
      expect(classifyFailure({ reason })).toEqual({
        kind: 'submission',
        component: 'driver',
        evidence: `state reason: ${reason}`,
      });
    }
    // the words alone, in a log line of a run that started, are not a stuck start
    expect(classifyFailure({ reason: 'exit code 1', driverLog: ['driver pod: ImagePullBackOff'] }).kind).toBe(
      'application',
    );
  });

  it('blames the application for anything else, with its reason', () => {
    const cause = classifyFailure({ reason: 'exit code 1: ValueError: bad input', driverLog: ['Traceback ...'] });
    expect(cause).toEqual({ kind: 'application', evidence: 'state reason: exit code 1: ValueError: bad input' });
  });
});
