import { beforeEach, describe, expect, it } from 'vitest';
import { FakeBackend } from '../../test/support/fake-backend';
import { ManualClock } from '../../test/support/manual-clock';
import { MemoryStore } from '../../test/support/memory-store';
import { ApplicationService } from '../apps/application-service';
import type { Principal } from '../apps/principal';
import { DomainError } from '../domain/errors';
import { SessionService } from './session-service';
import { sessionIdOf } from './session-id';

const alice: Principal = {
  id: 'tok-a',
  name: 'alice',
  scopes: ['applications:create', 'applications:read', 'applications:kill'],
};
const bob: Principal = { ...alice, id: 'tok-b', name: 'bob' };
const reader: Principal = { id: 'tok-r', name: 'alice', scopes: ['applications:read'] };
const admin: Principal = { id: 'tok-0', name: 'admin', scopes: ['admin'] };
const jobLimited: Principal = { ...alice, id: 'tok-j', jobIds: ['nightly'] };

describe('SessionService', () => {
  let clock: ManualClock;
  let store: MemoryStore;
  let backend: FakeBackend;
  let applications: ApplicationService;
  let sessions: SessionService;

  beforeEach(async () => {
    clock = new ManualClock('2026-03-01T00:00:00.000Z');
    store = new MemoryStore(clock);
    backend = new FakeBackend();
    backend.connectEndpoint = async () => ({ host: '127.0.0.1', port: 41_002 });
    await store.putCluster({ id: 'local', backend: 'local', settings: {} });
    await store.putTemplate('local', { id: 'short', config: { session: { idleTimeoutMinutes: 5 } } });
    applications = new ApplicationService({ store, backends: new Map([['local', backend]]), clock });
    sessions = new SessionService({ applications, store, clock, connectPublicUrl: 'sc://spark.example.com:443' });
  });

  const start = (body: Record<string, unknown> = {}, actor: Principal = alice) =>
    sessions.start({ clusterId: 'local', ...body }, { source: 'api', userId: actor.name, actor });

  /** Started and reported RUNNING by its back-end. */
  async function running(body: Record<string, unknown> = {}) {
    const view = await start(body);
    await applications.idle();
    backend.emit(view.application.id, { state: 'RUNNING', startedAt: clock.now().toISOString() });
    await applications.idle();
    return view.application.id;
  }

  it('starts an application of type session without a job, with how to connect', async () => {
    const view = await start({ configOverrides: { driver: { memory: '512m' } } });
    expect(view.application).toMatchObject({ type: 'session', clusterId: 'local', userId: 'alice', state: 'NEW' });
    expect('jobId' in view.application).toBe(false);
    expect(view.application.id).toMatch(/^session-/);
    expect(view.sessionId).toBe(sessionIdOf(view.application.id));
    expect(view.idleTimeoutMinutes).toBe(60);
    expect(view.connect).toEqual({
      sparkConnectUrl: `sc://spark.example.com:443/;token=<token>;session_id=${view.sessionId}`,
      oceanPath: `/ocean/spark/cluster/local/app/${view.application.id}/connect`,
    });
    await applications.idle();
    expect(backend.submitted.map((s) => s.app.id)).toEqual([view.application.id]);
    // no job was made for it
    expect((await store.listJobs({}, 10)).items).toEqual([]);
  });

  it('takes the idle time-out from the overrides over the template, and refuses a bad one naming the field', async () => {
    expect((await start({ configTemplateId: 'short' })).idleTimeoutMinutes).toBe(5);
    const view = await start({ configTemplateId: 'short', configOverrides: { session: { idleTimeoutMinutes: 2 } } });
    expect(view.idleTimeoutMinutes).toBe(2);
    const error = await start({ configOverrides: { session: { idleTimeoutMinutes: -1 } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('VALIDATION_FAILED');
    expect((error as DomainError).message).toMatch(/configOverrides\.session\.idleTimeoutMinutes/);
  });

  it('lists and gets sessions only, and stops one (KILLED through its back-end)', async () => {
    const id = await running();
    await applications.submit('local', { jobId: 'nightly' }, { source: 'api', actor: alice });
    expect((await sessions.list({}, alice)).items.map((s) => s.application.id)).toEqual([id]);
    const batch = (await applications.list({ types: ['batch'] })).items[0]!;
    await expect(sessions.get(batch.id, alice)).rejects.toMatchObject({ code: 'RESOURCE_NOT_FOUND' });
    // a token limited to jobs sees no session: a session belongs to no job
    await expect(sessions.get(id, jobLimited)).rejects.toMatchObject({ code: 'RESOURCE_NOT_FOUND' });
    await sessions.stop(id, alice);
    expect(backend.killed).toEqual([id]);
  });

  it('gives the relays the upstream of a running session, for its owner or an admin only', async () => {
    const queued = await start();
    expect(await sessions.byAppId('local', queued.application.id, alice)).toMatchObject({ refused: 'not-running' });
    const id = await running();
    const found = { appId: id, upstream: { host: '127.0.0.1', port: 41_002 } };
    expect(await sessions.byAppId('local', id, alice)).toEqual(found);
    expect(await sessions.bySessionId(sessionIdOf(id), admin)).toEqual(found);
    expect(await sessions.byAppId('local', id, bob)).toMatchObject({
      refused: 'forbidden',
      message: expect.stringMatching(/belongs to alice/),
    });
    expect(await sessions.byAppId('local', id, reader)).toMatchObject({
      refused: 'forbidden',
      message: expect.stringMatching(/applications:create/),
    });
    expect(await sessions.byAppId('other', id, alice)).toMatchObject({ refused: 'not-found' });
    expect(await sessions.bySessionId('00000000-0000-8000-8000-000000000000', alice)).toMatchObject({
      refused: 'not-found',
    });
  });

  it('gives a sql session its Ocean HiveServer2 paths, and each kind of relay only its own kind of session', async () => {
    const sql = await running({ configOverrides: { session: { kind: 'sql' } } });
    const view = await sessions.get(sql, alice);
    expect(view.connect).toMatchObject({
      hivePath: `/ocean/spark/cluster/local/app/${sql}/hive`,
      codePath: `/ocean/spark/cluster/local/app/${sql}/code`,
    });
    const found = { appId: sql, upstream: { host: '127.0.0.1', port: 41_002 } };
    expect(await sessions.byAppId('local', sql, alice, 'sql')).toEqual(found);
    expect(await sessions.byAppId('local', sql, alice)).toMatchObject({
      refused: 'not-running',
      message: `session ${sql} is a sql session (session.kind): it serves HiveServer2 Thrift (/hive, /code), not Spark Connect (sc://, /connect)`,
    });
    expect(await sessions.bySessionId(sessionIdOf(sql), alice)).toMatchObject({ refused: 'not-running' });
    const connect = await running();
    expect((await sessions.get(connect, alice)).connect.hivePath).toBeUndefined();
    expect(await sessions.byAppId('local', connect, alice, 'sql')).toMatchObject({
      refused: 'not-running',
      message: expect.stringMatching(/is a connect session \(session.kind\): it serves Spark Connect/),
    });
    // the owner check comes first: another user learns nothing of the kind
    expect(await sessions.byAppId('local', sql, bob, 'sql')).toMatchObject({ refused: 'forbidden' });
  });

  it('stops a session idle longer than its time-out (TIMED_OUT), counting from the last request a relay passed', async () => {
    const id = await running({ configOverrides: { session: { idleTimeoutMinutes: 10 } } });
    clock.advanceSeconds(9 * 60);
    sessions.touch(id);
    clock.advanceSeconds(9 * 60);
    await sessions.sweepIdle();
    expect(backend.killed).toEqual([]);
    expect(Date.parse((await sessions.get(id, alice)).lastActivityAt!)).toBe(Date.parse('2026-03-01T00:09:00.000Z'));
    clock.advanceSeconds(60);
    await sessions.sweepIdle();
    expect(backend.killed).toEqual([id]);
    backend.emit(id, { state: 'KILLED' });
    await applications.idle();
    const ended = (await sessions.get(id, alice)).application;
    expect(ended.state).toBe('TIMED_OUT');
    expect(ended.stateReason).toBe('idle for 10 minutes without a request (session.idleTimeoutMinutes)');
  });
});
