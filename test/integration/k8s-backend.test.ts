/**
 * The kubernetes back-end through the real @kubernetes/client-node, against a test API server
 * speaking real HTTP: watches, 409/410/429/500 answers, dropped connections, slow responses.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import type { ApplicationConfig } from '../../runtime/domain/config';
import type { BackendStatus, Logger } from '../../runtime/domain/ports';
import { KubernetesClusterSettings } from '../../runtime/adapters/k8s/cluster-settings';
import {
  KubernetesSparkBackend,
  type KubernetesSparkBackendOptions,
} from '../../runtime/adapters/k8s/kubernetes-backend';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver';

const NS = 'spark-apps';
const CONFIG: ApplicationConfig = {
  type: 'Python',
  mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py',
};

function application(id: string, overrides: Partial<Application> = {}): Application {
  return {
    id,
    clusterId: 'dev',
    jobId: 'pi',
    state: 'NEW',
    submissionSource: 'api',
    configOverrides: CONFIG,
    config: CONFIG,
    provenance: {} as Application['provenance'],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let server: FakeKubeApiServer;
let backend: KubernetesSparkBackend;
let seen: { appId: string; status: BackendStatus }[];
/** What the back-end logged, as "<level> <message>". */
const logged: string[] = [];
const logger: Logger = {
  debug: (_fields, message) => logged.push(`debug ${message}`),
  info: (_fields, message) => logged.push(`info ${message}`),
  warn: (_fields, message) => logged.push(`warn ${message}`),
  error: (_fields, message) => logged.push(`error ${message}`),
};

function makeBackend(overrides: Partial<KubernetesSparkBackendOptions> = {}): KubernetesSparkBackend {
  const made = new KubernetesSparkBackend({
    clusterId: 'dev',
    kubeConfig: server.kubeConfig(),
    settings: KubernetesClusterSettings.parse({ eventLogBucketUrl: 's3a://logs' }),
    requestTimeoutMs: 2_000,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    logPollIntervalMs: 50,
    logger,
    ...overrides,
  });
  made.onStatus((appId, status) => seen.push({ appId, status }));
  return made;
}

const states = (appId: string) => seen.filter((s) => s.appId === appId).map((s) => s.status.state);
const lastState = (appId: string) => states(appId).at(-1);

beforeEach(async () => {
  server = await FakeKubeApiServer.start();
  seen = [];
  logged.length = 0;
  backend = makeBackend();
});

afterEach(async () => {
  await backend.close();
  await server.close();
});

describe('KubernetesSparkBackend', () => {
  it('submits a SparkApplication and follows it to COMPLETED through watch events', async () => {
    const { backendRef } = await backend.submit(application('pi-1'), CONFIG);
    expect(backendRef).toBe('spark-apps/pi-1');
    const created = server.get(NS, 'pi-1');
    expect(created).toMatchObject({
      kind: 'SparkApplication',
      spec: { type: 'Python', restartPolicy: { type: 'Never' } },
    });
    await waitFor('PENDING', () => lastState('pi-1') === 'PENDING');

    server.setStatus(NS, 'pi-1', { applicationState: { state: 'SUBMITTED' } });
    server.setStatus(NS, 'pi-1', {
      applicationState: { state: 'RUNNING' },
      lastSubmissionAttemptTime: '2026-01-01T00:00:10Z',
      driverInfo: { podName: 'pi-1-driver' },
      sparkApplicationId: 'spark-0f3a9c',
    });
    await waitFor('RUNNING', () => lastState('pi-1') === 'RUNNING');
    server.setStatus(NS, 'pi-1', {
      applicationState: { state: 'COMPLETED' },
      lastSubmissionAttemptTime: '2026-01-01T00:00:10Z',
      terminationTime: '2026-01-01T00:01:00Z',
    });
    await waitFor('COMPLETED', () => lastState('pi-1') === 'COMPLETED');
    expect(states('pi-1')).toEqual(['PENDING', 'RUNNING', 'COMPLETED']);
    expect(seen.at(-1)?.status).toEqual({
      state: 'COMPLETED',
      startedAt: '2026-01-01T00:00:10Z',
      endedAt: '2026-01-01T00:01:00Z',
    });
    expect(await backend.status(application('pi-1'))).toMatchObject({ state: 'COMPLETED' });
    // the run's rolling directory in the one directory the History Server lists, named by the id the operator reported
    expect(backend.eventLogPath(application('pi-1'))).toBe('s3a://logs/eventlogs/eventlog_v2_spark-0f3a9c');
    expect(backend.eventLogPath(application('never-started'))).toBeUndefined();
  });

  it("learns a run's event-log directory from a status read, before any watch event", async () => {
    await backend.submit(application('pi-9'), CONFIG);
    server.setStatusSilently(NS, 'pi-9', { applicationState: { state: 'COMPLETED' }, sparkApplicationId: 'spark-99' });
    expect(await backend.status(application('pi-9'))).toMatchObject({ state: 'COMPLETED' });
    expect(backend.eventLogPath(application('pi-9'))).toBe('s3a://logs/eventlogs/eventlog_v2_spark-99');
  });

  it('resumes a dropped watch from the last resourceVersion without losing the completion', async () => {
    await backend.submit(application('pi-2'), CONFIG);
    server.setStatus(NS, 'pi-2', { applicationState: { state: 'RUNNING' } });
    await waitFor('RUNNING', () => lastState('pi-2') === 'RUNNING');
    const lists = server.count('GET', 'sparkapplications?');
    const resumed = server.requests.length;

    server.dropWatches();
    server.setStatus(NS, 'pi-2', { applicationState: { state: 'COMPLETED' } }); // while no watch is open

    await waitFor('COMPLETED', () => lastState('pi-2') === 'COMPLETED');
    const rewatch = server.requests.slice(resumed).find((r) => r.path.includes('watch=true'));
    expect(rewatch?.path).toMatch(/resourceVersion=\d+/);
    // resumed by watching, not by listing again
    expect(
      server.requests
        .slice(resumed)
        .filter((r) => !r.path.includes('watch=true') && r.path.includes('sparkapplications?')),
    ).toEqual([]);
    expect(server.count('GET', 'sparkapplications?')).toBeGreaterThan(lists);
    expect(states('pi-2')).toEqual(['PENDING', 'RUNNING', 'COMPLETED']);
  });

  it('lists again when the resourceVersion expired (410 Gone) and catches up', async () => {
    await backend.submit(application('pi-3'), CONFIG);
    await waitFor('PENDING', () => lastState('pi-3') === 'PENDING');
    const before = server.requests.length;

    server.dropWatches();
    server.setStatus(NS, 'pi-3', { applicationState: { state: 'FAILED', errorMessage: 'driver exited with code 1' } });
    server.compactHistory();

    await waitFor('FAILED', () => lastState('pi-3') === 'FAILED');
    expect(seen.at(-1)?.status.reason).toBe('driver exited with code 1');
    const after = server.requests.slice(before).map((r) => r.path);
    const expiredWatch = after.findIndex((p) => p.includes('watch=true'));
    const relist = after.findIndex(
      (p, i) => i > expiredWatch && p.includes('sparkapplications?') && !p.includes('watch=true'),
    );
    expect(expiredWatch).toBeGreaterThanOrEqual(0);
    expect(relist).toBeGreaterThan(expiredWatch);
  });

  it('treats 409 AlreadyExists on create as success when the resource is the same application', async () => {
    const first = await backend.submit(application('pi-4'), CONFIG);
    const again = await backend.submit(application('pi-4'), CONFIG);
    expect(again).toEqual(first);
    expect(server.count('POST', 'sparkapplications')).toBe(2);

    // a name taken by another application is a conflict, not a silent success
    const foreign = makeBackend({ clusterId: 'dev' });
    server.get(NS, 'pi-4')!.metadata.labels = { 'sparkplane.io/app-id': 'someone-else' };
    await expect(foreign.submit(application('pi-4'), CONFIG)).rejects.toMatchObject({ code: 'CONFLICT' });
    await foreign.close();
  });

  it('retries 429 and 500 answers with backoff, then succeeds', async () => {
    server.inject({ method: 'POST', pathIncludes: 'sparkapplications', status: 429, headers: { 'retry-after': '0' } });
    server.inject({ method: 'POST', pathIncludes: 'sparkapplications', status: 500 });
    await backend.submit(application('pi-5'), CONFIG);
    expect(server.count('POST', 'sparkapplications')).toBe(3);
    expect(server.get(NS, 'pi-5')).toBeDefined();
    expect(logged.filter((line) => line === 'debug a Kubernetes API call failed: retrying')).toHaveLength(2);
  });

  it('does not retry other 4xx answers, and reports them as the back-end being unavailable', async () => {
    server.inject({ method: 'POST', pathIncludes: 'sparkapplications', status: 403 });
    await expect(backend.submit(application('pi-6'), CONFIG)).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: expect.stringContaining('HTTP 403'),
    });
    expect(server.count('POST', 'sparkapplications')).toBe(1);
  });

  it('times out a slow response and retries it', async () => {
    await backend.submit(application('pi-7'), CONFIG);
    server.setStatus(NS, 'pi-7', { applicationState: { state: 'RUNNING' } });
    const slow = makeBackend({ requestTimeoutMs: 200 });
    server.inject({ method: 'GET', pathIncludes: 'sparkapplications/pi-7', delayMs: 1_500 });
    expect(await slow.status(application('pi-7'))).toEqual({ state: 'RUNNING' });
    expect(server.count('GET', 'sparkapplications/pi-7')).toBe(2);
    await slow.close();
  });

  it('abandons a watch whose response never starts, and follows on a new one', async () => {
    await backend.close();
    backend = makeBackend({ requestTimeoutMs: 300 });
    await backend.submit(application('pi-14'), CONFIG);
    await waitFor('PENDING', () => lastState('pi-14') === 'PENDING');
    const watchesBefore = server.count('GET', 'watch=true');
    server.inject({ method: 'GET', pathIncludes: 'watch=true', delayMs: 5_000 });
    server.dropWatches();
    server.setStatus(NS, 'pi-14', { applicationState: { state: 'RUNNING' } });
    await waitFor('RUNNING', () => lastState('pi-14') === 'RUNNING');
    expect(server.count('GET', 'watch=true')).toBeGreaterThanOrEqual(watchesBefore + 2);
    expect(logged).toContain('warn the watch of SparkApplications failed: reconnecting');
  });

  it('kills by deleting the resource; the application reads KILLED', async () => {
    await backend.submit(application('pi-8'), CONFIG);
    server.setStatus(NS, 'pi-8', { applicationState: { state: 'RUNNING' } });
    await waitFor('RUNNING', () => lastState('pi-8') === 'RUNNING');
    await backend.kill(application('pi-8', { backendRef: 'spark-apps/pi-8' }));
    expect(server.get(NS, 'pi-8')).toBeUndefined();
    expect(server.count('DELETE', 'sparkapplications/pi-8')).toBe(1);
    await waitFor('KILLED', () => lastState('pi-8') === 'KILLED');
    expect(await backend.status(application('pi-8'))).toEqual({ state: 'KILLED' });
    await backend.kill(application('pi-8')); // killing again does nothing
  });

  it('reports a resource deleted by someone else as FAILED, and keeps a known ending after the TTL removes it', async () => {
    await backend.submit(application('pi-9'), CONFIG);
    await waitFor('PENDING', () => lastState('pi-9') === 'PENDING');
    server.deleteObject(NS, 'pi-9');
    await waitFor('FAILED', () => lastState('pi-9') === 'FAILED');
    expect(seen.at(-1)?.status).toEqual({ state: 'FAILED', reason: 'SparkApplication was deleted' });
    expect(await backend.status(application('pi-9', { state: 'RUNNING' }))).toEqual({
      state: 'FAILED',
      reason: 'SparkApplication was deleted',
    });
    expect(await backend.status(application('pi-9', { state: 'COMPLETED' }))).toEqual({ state: 'COMPLETED' });
  });

  it('converges after a missed event: status() reads it, and the periodic re-list reports it', async () => {
    await backend.close();
    backend = makeBackend({ resyncIntervalMs: 300, watchTimeoutSeconds: 1 });
    await backend.submit(application('pi-10'), CONFIG);
    await waitFor('PENDING', () => lastState('pi-10') === 'PENDING');
    server.setStatusSilently(NS, 'pi-10', { applicationState: { state: 'COMPLETED' } });
    expect(await backend.status(application('pi-10'))).toEqual({ state: 'COMPLETED' });
    await waitFor('COMPLETED via re-list', () => lastState('pi-10') === 'COMPLETED');
  });

  it('reports an end once, however often the resource is listed again', async () => {
    await backend.close();
    backend = makeBackend({ resyncIntervalMs: 300, watchTimeoutSeconds: 1 });
    await backend.submit(application('ended-1'), CONFIG);
    server.setStatus(NS, 'ended-1', { applicationState: { state: 'COMPLETED' } });
    await waitFor('COMPLETED', () => lastState('ended-1') === 'COMPLETED');
    const lists = server.count('GET', 'sparkapplications?');
    await waitFor('two re-lists', () => server.count('GET', 'sparkapplications?') >= lists + 2);
    expect(states('ended-1')).toEqual(['PENDING', 'COMPLETED']);
  });

  it('reads the removal of an ended application it no longer remembers as that end, not as a deletion', async () => {
    await backend.close();
    backend = makeBackend({ recentlyEndedLimit: 1 });
    for (const id of ['ttl-1', 'ttl-2']) {
      await backend.submit(application(id), CONFIG);
      server.setStatus(NS, id, { applicationState: { state: 'COMPLETED' } });
      await waitFor(`${id} COMPLETED`, () => lastState(id) === 'COMPLETED');
    }
    // ttl-1 is forgotten (the limit is 1); its time to live removes it
    server.deleteObject(NS, 'ttl-1');
    await waitFor('the removal of ttl-1', () => states('ttl-1').length === 3);
    expect(states('ttl-1')).toEqual(['PENDING', 'COMPLETED', 'COMPLETED']);
  });

  it("reads the driver pod's log, and follows it until the container ends", async () => {
    await backend.submit(application('pi-11'), CONFIG);
    server.appendPodLog(NS, 'pi-11-driver', 'starting\nPi is roughly 3.14\n');
    server.setStatus(NS, 'pi-11', { applicationState: { state: 'RUNNING' }, driverInfo: { podName: 'pi-11-driver' } });
    const lines: string[] = [];
    for await (const line of backend.driverLog(application('pi-11'), { follow: false })) lines.push(line);
    expect(lines).toEqual(['starting', 'Pi is roughly 3.14']);

    const followed: string[] = [];
    const following = (async () => {
      for await (const line of backend.driverLog(application('pi-11'), { follow: true })) followed.push(line);
    })();
    await waitFor('the log so far', () => followed.length === 2);
    server.appendPodLog(NS, 'pi-11-driver', 'stopping\n');
    server.endPodLog(NS, 'pi-11-driver');
    await following;
    expect(followed).toEqual(['starting', 'Pi is roughly 3.14', 'stopping']);

    const aborted = new AbortController();
    const pending = backend.driverLog(application('pi-12'), { follow: true, signal: aborted.signal });
    await backend.submit(application('pi-12'), CONFIG); // no driver pod yet: following waits
    const result = (async () => {
      const got: string[] = [];
      for await (const line of pending) got.push(line);
      return got;
    })();
    aborted.abort();
    expect(await result).toEqual([]);
  });

  it('lists the Kubernetes events of the application and its driver pod, oldest first', async () => {
    await backend.submit(application('pi-13'), CONFIG);
    server.addEvent(NS, {
      kind: 'Pod',
      name: 'pi-13-driver',
      type: 'Warning',
      reason: 'FailedScheduling',
      message: '0/3 nodes are available',
      time: '2026-01-01T00:00:05Z',
    });
    server.addEvent(NS, {
      kind: 'SparkApplication',
      name: 'pi-13',
      reason: 'SparkApplicationSubmitted',
      message: 'submitted',
      time: '2026-01-01T00:00:01Z',
    });
    server.addEvent(NS, {
      kind: 'Pod',
      name: 'other-driver',
      reason: 'Scheduled',
      message: 'not ours',
      time: '2026-01-01T00:00:02Z',
    });
    expect(await backend.kubeEvents(application('pi-13'))).toEqual([
      '2026-01-01T00:00:01.000Z Normal SparkApplicationSubmitted SparkApplication/pi-13: submitted',
      '2026-01-01T00:00:05.000Z Warning FailedScheduling Pod/pi-13-driver: 0/3 nodes are available',
    ]);
  });

  it('probes the cluster: AVAILABLE with versions and nodes, PROGRESSING without the operator, UNREACHABLE when down', async () => {
    expect(await backend.probe()).toEqual({
      state: 'AVAILABLE',
      kubernetesVersion: 'v1.33.2',
      operatorVersion: '2.5.0',
      nodes: { total: 3, ready: 2 },
      lastHeartbeat: expect.any(String),
    });
    server.crdInstalled = false;
    server.nodes.push({ name: 'node-d', ready: true });
    expect(await backend.probe()).toEqual({
      state: 'PROGRESSING',
      kubernetesVersion: 'v1.33.2',
      nodes: { total: 4, ready: 3 },
      lastHeartbeat: expect.any(String),
      reason: 'spark-operator is not installed (no CRD sparkapplications.sparkoperator.k8s.io)',
    });
    const { lastHeartbeat } = await backend.probe();
    await server.close();
    const down = await backend.probe();
    expect(down).toMatchObject({
      state: 'UNREACHABLE',
      lastHeartbeat,
      reason: expect.stringMatching(/^cluster dev: reading the Kubernetes version failed: /),
    });
    server = await FakeKubeApiServer.start(); // for afterEach
  });

  it('leaves the nodes unknown, not the cluster down, when it may not list them', async () => {
    server.inject({ pathIncludes: '/api/v1/nodes', status: 403 });
    const health = await backend.probe();
    expect(health).toMatchObject({ state: 'AVAILABLE', kubernetesVersion: 'v1.33.2', operatorVersion: '2.5.0' });
    expect(health).not.toHaveProperty('nodes');
    // read from the API server's cache, not etcd: a probe every 30 s stays cheap
    expect(server.requests.filter((r) => r.path.startsWith('/api/v1/nodes'))).toEqual([
      { method: 'GET', path: '/api/v1/nodes?resourceVersion=0' },
    ]);
  });
});
