import { beforeEach, describe, expect, it } from 'vitest';
import { FakeBackend } from '../../test/support/fake-backend';
import { MemoryStore } from '../../test/support/memory-store';
import { ApplicationService } from '../apps/application-service';
import { JobSpec, nextRunOf, Schedule } from '../domain/resources';
import { parseOrThrow } from '../domain/validation';
import { JobScheduler, scheduledAppId } from './job-scheduler';
import { ManualClock } from '../../test/support/manual-clock';

let clock: ManualClock;
let store: MemoryStore;
let backend: FakeBackend;
let applications: ApplicationService;

function scheduler(extra: { refreshMs?: number } = {}): JobScheduler {
  return new JobScheduler({ store, applications, clock, refreshMs: extra.refreshMs ?? 0 });
}

async function putJob(spec: Record<string, unknown>): Promise<void> {
  await store.putJob(parseOrThrow(JobSpec, { clusterId: 'local', ...spec }));
}

/** Starts a scheduler at `from` (its first tick notes the time) and ticks at `to`. */
async function tickBetween(s: JobScheduler, from: string, to: string) {
  clock.set(from);
  await s.tick();
  clock.set(to);
  return s.tick();
}

beforeEach(async () => {
  clock = new ManualClock('2026-01-15T00:00:00.000Z');
  store = new MemoryStore(clock);
  backend = new FakeBackend();
  applications = new ApplicationService({ store, backends: new Map([['local', backend]]), clock });
  await store.putCluster({ id: 'local', backend: 'local', settings: {} });
});

describe('JobScheduler', () => {
  it('submits a run at each instant of the cron expression, in the job time zone, and none before', async () => {
    // 02:00 in Paris is 01:00 UTC in winter
    await putJob({ id: 'nightly', schedule: { cron: '0 2 * * *', timezone: 'Europe/Paris' } });
    const s = scheduler();
    expect(await tickBetween(s, '2026-01-15T00:30:00Z', '2026-01-15T00:59:59Z')).toEqual([]);
    clock.set('2026-01-15T01:00:00Z');
    const [firing] = await s.tick();
    const at = new Date('2026-01-15T01:00:00Z');
    expect(firing).toEqual({
      jobId: 'nightly',
      scheduledAt: at.toISOString(),
      outcome: 'submitted',
      appId: scheduledAppId('nightly', at),
    });
    const app = await store.getApplication(firing!.appId!);
    expect([app?.jobId, app?.submissionSource, app?.userId]).toEqual(['nightly', 'schedule', 'scheduler']);
    clock.set('2026-01-15T01:30:00Z');
    expect(await s.tick()).toEqual([]);
  });

  it('fires only the latest instant a late tick missed, and nothing of a disabled schedule', async () => {
    await putJob({ id: 'often', schedule: { cron: '*/5 * * * *' } });
    await putJob({ id: 'off', schedule: { cron: '*/5 * * * *', enabled: false } });
    const firings = await tickBetween(scheduler(), '2026-01-15T10:00:30Z', '2026-01-15T10:17:00Z');
    expect(firings.map((f) => [f.jobId, f.scheduledAt])).toEqual([['often', '2026-01-15T10:15:00.000Z']]);
  });

  it('submits one run per instant however many replicas fire it', async () => {
    await putJob({ id: 'nightly', schedule: { cron: '0 1 * * *' } });
    const [a, b] = [scheduler(), scheduler()];
    const first = await tickBetween(a, '2026-01-15T00:59:00Z', '2026-01-15T01:00:01Z');
    const second = await tickBetween(b, '2026-01-15T00:59:00Z', '2026-01-15T01:00:02Z');
    expect(second[0]?.appId).toBe(first[0]?.appId);
    await applications.idle();
    expect(backend.submitted).toHaveLength(1);
  });

  it('follows the concurrency policy: Allow runs beside, Forbid skips, Replace kills the active run', async () => {
    for (const policy of ['Allow', 'Forbid', 'Replace']) {
      await putJob({ id: policy.toLowerCase(), concurrencyPolicy: policy, schedule: { cron: '0 * * * *' } });
    }
    const s = scheduler();
    await tickBetween(s, '2026-01-15T00:59:00Z', '2026-01-15T01:00:00Z');
    clock.set('2026-01-15T02:00:00Z');
    const second = await s.tick();
    expect(second.map((f) => [f.jobId, f.outcome])).toEqual([
      ['allow', 'submitted'],
      ['forbid', 'skipped'],
      ['replace', 'submitted'],
    ]);
    expect(second[1]?.reason).toContain(scheduledAppId('forbid', new Date('2026-01-15T01:00:00Z')));
    const states = async (jobId: string) =>
      (await store.listApplications({ jobId }, 10)).items.map((app) => app.state).sort();
    expect(await states('allow')).toEqual(['NEW', 'NEW']);
    expect(await states('forbid')).toEqual(['NEW']);
    expect(await states('replace')).toEqual(['KILLED', 'NEW']);
  });

  it('reads schedules again after refreshMs, or at once after refresh()', async () => {
    const s = scheduler({ refreshMs: 60_000 });
    await tickBetween(s, '2026-01-15T00:00:00Z', '2026-01-15T00:00:01Z');
    await putJob({ id: 'later', schedule: { cron: '* * * * *' } });
    clock.set('2026-01-15T00:01:00Z');
    expect(await s.tick()).toEqual([]);
    s.refresh();
    clock.set('2026-01-15T00:02:00Z');
    expect((await s.tick()).map((f) => f.jobId)).toEqual(['later']);
  });

  it('skips a stored schedule it cannot read (stored before validation) and fires the others', async () => {
    await putJob({ id: 'fine', schedule: { cron: '0 1 * * *' } });
    // as a store written by an older version may hold it
    await store.putJob({
      ...parseOrThrow(JobSpec, { id: 'old', clusterId: 'local' }),
      schedule: { cron: 'bogus', timezone: 'UTC', enabled: true },
    });
    const firings = await tickBetween(scheduler(), '2026-01-15T00:59:00Z', '2026-01-15T01:00:00Z');
    expect(firings.map((f) => f.jobId)).toEqual(['fine']);
  });

  it('reports a run it could not submit and goes on with the others', async () => {
    await putJob({ id: 'broken', configTemplateId: 'missing', schedule: { cron: '0 1 * * *' } });
    await putJob({ id: 'fine', schedule: { cron: '0 1 * * *' } });
    const firings = await tickBetween(scheduler(), '2026-01-15T00:59:00Z', '2026-01-15T01:00:00Z');
    expect(firings.map((f) => [f.jobId, f.outcome])).toEqual([
      ['broken', 'failed'],
      ['fine', 'submitted'],
    ]);
    expect(firings[0]?.reason).toContain('missing');
  });
});

describe('Schedule', () => {
  it('tells its next run in its time zone, and none when disabled', () => {
    const schedule = parseOrThrow(Schedule, { cron: '0 2 * * *', timezone: 'Europe/Paris' });
    // 02:00 in Paris: 01:00 UTC in winter, 00:00 UTC in summer
    expect(nextRunOf(schedule, new Date('2026-01-15T12:00:00Z'))?.toISOString()).toBe('2026-01-16T01:00:00.000Z');
    expect(nextRunOf(schedule, new Date('2026-07-15T12:00:00Z'))?.toISOString()).toBe('2026-07-16T00:00:00.000Z');
    expect(nextRunOf({ ...schedule, enabled: false }, new Date('2026-01-15T12:00:00Z'))).toBeUndefined();
    expect(nextRunOf({ ...schedule, cron: 'bogus' }, new Date('2026-01-15T12:00:00Z'))).toBeUndefined();
  });

  it('rejects a cron expression or a time zone it cannot read, naming the field and the value', () => {
    expect(() => parseOrThrow(JobSpec, { id: 'j', clusterId: 'local', schedule: { cron: '61 * * * *' } })).toThrow(
      'schedule.cron: "61 * * * *" is not a cron expression',
    );
    expect(() =>
      parseOrThrow(JobSpec, { id: 'j', clusterId: 'local', schedule: { cron: '@daily', timezone: 'Mars/Base' } }),
    ).toThrow('schedule.timezone: "Mars/Base" is not an IANA time zone');
  });
});
