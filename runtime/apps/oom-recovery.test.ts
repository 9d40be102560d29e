import { describe, expect, it } from 'vitest';
import type { ApplicationConfig } from '../domain/config';
import { parseMemoryMiB } from '../domain/quantity';
import type { FailureCause } from '../domain/recovery';
import { carryMemory, raiseMemory, type RecoveryContext } from './oom-recovery';

const executorOom: FailureCause = { kind: 'outOfMemory', component: 'executor', evidence: 'event log: OOM' };
const driverOom: FailureCause = { kind: 'outOfMemory', component: 'driver', evidence: 'state reason: OOM' };
const unbounded: RecoveryContext = { tasksInDriver: () => false, fits: () => true };
const recovering: ApplicationConfig = {
  executor: { memory: '1g', strategy: 'oomRecovery' },
  driver: { memory: '512m' },
};

describe('raiseMemory', () => {
  it('doubles the heap of the pod that ran out, with the reason', () => {
    const raised = raiseMemory({ id: 'a-1', config: recovering }, executorOom, unbounded);
    expect(raised?.config.executor?.memory).toBe('2048m');
    expect(raised?.config.driver?.memory).toBe('512m');
    expect(raised?.memoryRecovery).toEqual({
      executorMemory: '2048m',
      reason: 'executor memory 1g -> 2g: a-1 ran out of memory (event log: OOM)',
      fromAppId: 'a-1',
    });
    expect(raiseMemory({ id: 'a-1', config: recovering }, driverOom, unbounded)?.config.driver?.memory).toBe('1024m');
  });

  it('raises the driver when the tasks run in it (local[N])', () => {
    const raised = raiseMemory({ id: 'a-1', config: recovering }, executorOom, {
      ...unbounded,
      tasksInDriver: () => true,
    });
    expect(raised?.memoryRecovery.driverMemory).toBe('1024m');
    expect(raised?.config.executor?.memory).toBe('1g');
  });

  it('stops at what the cluster holds, and raises nothing when no more fits', () => {
    const atMost1536: RecoveryContext = {
      tasksInDriver: () => false,
      fits: (config) => (parseMemoryMiB(config.executor?.memory ?? '1g') ?? 0) <= 1536,
    };
    expect(raiseMemory({ id: 'a-1', config: recovering }, executorOom, atMost1536)?.config.executor?.memory).toBe(
      '1536m',
    );
    const full = { id: 'a-2', config: { ...recovering, executor: { ...recovering.executor, memory: '1536m' } } };
    expect(raiseMemory(full, executorOom, atMost1536)).toBeUndefined();
  });

  it('raises nothing for a cause other than out-of-memory', () => {
    const spot: FailureCause = { kind: 'spotInterruption', evidence: 'event log: decommission' };
    expect(raiseMemory({ id: 'a-1', config: recovering }, spot, unbounded)).toBeUndefined();
  });
});

describe('carryMemory', () => {
  const provenance = { '/executor/memory': 'job', '/driver/memory': 'job' } as const;

  it("gives the job's next run the raise its last run died without", () => {
    const previous = { id: 'a-1', config: recovering, failure: executorOom };
    const carried = carryMemory(previous, recovering, { ...provenance }, unbounded);
    expect(carried?.config.executor?.memory).toBe('2048m');
    expect(carried?.provenance['/executor/memory']).toBe('tuning');
    expect(carried?.provenance['/driver/memory']).toBe('job');
  });

  it('keeps the memory a recovered run completed with, never lowering what the config asks', () => {
    const previous = {
      id: 'a-1-r2',
      config: recovering,
      memoryRecovery: { executorMemory: '2048m', reason: 'executor memory 1g -> 2g', fromAppId: 'a-1' },
    };
    expect(carryMemory(previous, recovering, { ...provenance }, unbounded)?.config.executor?.memory).toBe('2048m');
    const bigger: ApplicationConfig = { ...recovering, executor: { ...recovering.executor, memory: '4g' } };
    expect(carryMemory(previous, bigger, { ...provenance }, unbounded)).toBeUndefined();
  });

  it('carries nothing when the strategy does not ask for recovery', () => {
    const previous = { id: 'a-1', config: recovering, failure: executorOom };
    expect(carryMemory(previous, { executor: { memory: '1g' } }, { ...provenance }, unbounded)).toBeUndefined();
  });
});
