import { beforeEach, describe, expect, it } from 'vitest';
import { FakeBackend } from '../../test/support/fake-backend';
import { ManualClock } from '../../test/support/manual-clock';
import { MemoryStore } from '../../test/support/memory-store';
import type { Application } from '../domain/application';
import { ApplicationService } from './application-service';

describe('retries', () => {
  let clock: ManualClock;
  let store: MemoryStore;
  let backend: FakeBackend;
  let service: ApplicationService;

  beforeEach(async () => {
    clock = new ManualClock();
    store = new MemoryStore(clock);
    backend = new FakeBackend();
    await store.putCluster({ id: 'local', backend: 'local', settings: {} });
    service = new ApplicationService({ store, backends: new Map([['local', backend]]), clock });
  });

  const settled = async () => {
    await service.lifecycle.idle();
    await service.admission.idle();
    await service.lifecycle.idle();
  };
  const attemptsOf = async (first: string): Promise<Application[]> =>
    (await store.listApplications({ retryOf: first }, 50)).items.sort((a, b) => (a.attempt ?? 1) - (b.attempt ?? 1));

  const submitFailing = async (configOverrides: object) => {
    const { app } = await service.submit('local', { jobId: 'etl', configOverrides }, { source: 'api' });
    await settled();
    return app;
  };

  it('retries a failed run as a new application linked to the first, after its interval, up to its count', async () => {
    const first = await submitFailing({
      restartPolicy: { type: 'OnFailure', onFailureRetries: 2, onFailureRetryIntervalSeconds: 30 },
    });
    backend.emit(first.id, { state: 'FAILED', reason: 'exit code 1: ValueError: bad input' });
    await settled();
    expect((await store.getApplication(first.id))?.failure).toEqual({
      kind: 'application',
      evidence: 'state reason: exit code 1: ValueError: bad input',
    });
    const [second] = await attemptsOf(first.id);
    expect(second).toMatchObject({ attempt: 2, retryOf: first.id, state: 'NEW', jobId: 'etl' });
    expect(second!.retryAt).toBe(new Date(clock.now().getTime() + 30_000).toISOString());
    expect(second!.pendingReason).toMatch(/^attempt 2, retrying .* waits its restart interval until /);

    // held until its interval has passed, then admitted and handed over
    await service.admission.request();
    await settled();
    expect(backend.submitted.map((s) => s.app.id)).toEqual([first.id]);
    clock.advanceSeconds(30);
    await service.admission.request();
    await settled();
    expect(backend.submitted.map((s) => s.app.id)).toEqual([first.id, second!.id]);

    backend.emit(second!.id, { state: 'FAILED', reason: 'exit code 1: ValueError: bad input' });
    await settled();
    const third = (await attemptsOf(first.id))[1]!;
    expect(third).toMatchObject({ attempt: 3, retryOf: first.id });
    clock.advanceSeconds(30);
    await service.admission.request();
    await settled();
    backend.emit(third.id, { state: 'FAILED', reason: 'exit code 1: ValueError: bad input' });
    await settled();
    // two retries used: the third failure is final
    expect((await attemptsOf(first.id)).map((a) => a.attempt)).toEqual([2, 3]);
  });

  it('counts refused submissions apart from failed runs', async () => {
    backend.failSubmitWith = new Error('admission webhook denied the request');
    const first = await submitFailing({
      restartPolicy: {
        type: 'OnFailure',
        onFailureRetries: 1,
        onSubmissionFailureRetries: 1,
        onSubmissionFailureRetryIntervalSeconds: 5,
      },
    });
    const refused = await store.getApplication(first.id);
    expect(refused?.state).toBe('FAILED');
    expect(refused?.failure?.kind).toBe('submission');
    const second = (await attemptsOf(first.id))[0]!;
    expect(second).toMatchObject({ attempt: 2, submissionRetries: 1 });

    backend.failSubmitWith = undefined;
    clock.advanceSeconds(5);
    await service.admission.request();
    await settled();
    backend.emit(second.id, { state: 'FAILED', reason: 'exit code 1: boom' });
    await settled();
    // the run's own failure still has its one retry
    const third = (await attemptsOf(first.id))[1]!;
    expect(third).toMatchObject({ attempt: 3, submissionRetries: 1 });
  });

  it('never retries under policy Never, a kill, or a time-out', async () => {
    const never = await submitFailing({ restartPolicy: { type: 'Never' } });
    backend.emit(never.id, { state: 'FAILED', reason: 'exit code 1: boom' });
    const killed = await submitFailing({ restartPolicy: { type: 'OnFailure' } });
    await service.kill(killed.id);
    await settled();
    expect(await attemptsOf(never.id)).toEqual([]);
    expect(await attemptsOf(killed.id)).toEqual([]);
    expect((await store.getApplication(killed.id))?.state).toBe('KILLED');
  });

  it('gives the retry of an out-of-memory run double the memory, and the next runs of the job too', async () => {
    const first = await submitFailing({
      restartPolicy: { type: 'OnFailure', onFailureRetryIntervalSeconds: 0 },
      executor: { memory: '1g', instances: 2, strategy: 'oomRecovery' },
    });
    backend.logs.set(first.id, [
      '26/11/24 WARN TaskSetManager: Lost task 0.0 in stage 0.0: java.lang.OutOfMemoryError: Java heap space',
    ]);
    backend.emit(first.id, {
      state: 'FAILED',
      reason: 'exit code 1: org.apache.spark.SparkException: Job aborted due to stage failure',
    });
    await settled();
    expect((await store.getApplication(first.id))?.failure).toMatchObject({
      kind: 'outOfMemory',
      component: 'executor',
    });
    const retry = (await attemptsOf(first.id))[0]!;
    expect(retry.config.executor?.memory).toBe('2048m');
    expect(retry.provenance['/executor/memory']).toBe('tuning');
    expect(retry.memoryRecovery?.reason).toMatch(/^executor memory 1g -> 2g: .* ran out of memory/);

    await service.admission.request();
    await settled();
    backend.emit(retry.id, { state: 'RUNNING' });
    backend.emit(retry.id, { state: 'COMPLETED' });
    await settled();
    const { app: next } = await service.submit(
      'local',
      { jobId: 'etl', configOverrides: { executor: { memory: '1g', instances: 2, strategy: 'oomRecovery' } } },
      { source: 'api' },
    );
    expect(next.config.executor?.memory).toBe('2048m');
    expect(next.memoryRecovery?.fromAppId).toBe(first.id);
  });
});
