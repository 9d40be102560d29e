/**
 * The runtime over the kubernetes back-end, through the real @kubernetes/client-node against the
 * test API server: a cluster that declares no capacity still refuses what no node or cluster could
 * hold (400 naming the field, the value and the limit), and a session started through the API is a
 * SparkConnect, RUNNING once its server answers gRPC, stopped by deleting it; applications already
 * handed over when the operator goes down say so until it is back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttp2Server } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { kubernetesBackend } from '../../runtime/adapters/k8s/plugin';
import { freePort } from '../../runtime/adapters/local/spark-ui-port';
import { MESSAGE_TYPE, openSessionCall, readMessage } from '../../runtime/adapters/thrift/binary-protocol';
import type { Application } from '../../runtime/domain/application';
import { ServiceConfig } from '../../runtime/main/config';
import { buildRuntime, type Runtime } from '../../runtime/main/runtime';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver';
import { listenThrift, thriftStandIn } from '../support/thrift-stand-in';

const NS = 'spark-apps';
const token = 'k8s-limits-admin-token-0123456789';
const CONFIG = { type: 'Python', mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py' };

let dataDir: string;
let server: FakeKubeApiServer;
let runtime: Runtime;
let connectPort: number;
let thriftPort: number;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sparkplane-k8s-limits-'));
  server = await FakeKubeApiServer.start();
  connectPort = await freePort('127.0.0.1');
  thriftPort = await freePort('127.0.0.1');
  const config = ServiceConfig.parse({
    dataDir,
    port: 0,
    adminToken: token,
    clustersFile: {
      path: join(dataDir, 'clusters.yaml'),
      clusters: [
        {
          id: 'k8s',
          backend: 'kubernetes',
          settings: {
            eventLogBucketUrl: 's3a://logs',
            sessionConnectAddress: `127.0.0.1:${connectPort}`,
            sessionThriftAddress: `127.0.0.1:${thriftPort}`,
          },
        },
      ],
    },
  });
  runtime = await buildRuntime(config, {
    plugins: [
      kubernetesBackend({
        kubeConfig: () => server.kubeConfig(),
        requestTimeoutMs: 1_000,
        retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
      }),
    ],
    logger: pino({ level: 'silent' }),
    validateResponses: true,
  });
  await runtime.tokens.ensureAdminToken(token);
});

afterEach(async () => {
  await runtime.close();
  await server.close().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  runtime.server.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });

const appNow = async (id: string) => (await call('GET', `/api/v1/applications/${id}`)).json() as Application;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the kubernetes back-end through the API', () => {
  it('refuses what no node or cluster could hold on a cluster without declared capacity, naming field, value and limit', async () => {
    const refused = await call('POST', '/api/v1/applications', {
      clusterId: 'k8s',
      jobId: 'pi',
      configOverrides: {
        ...CONFIG,
        driver: { cores: 9007199254740991 },
        executor: { memory: '99999999t', instances: 1e9 },
      },
    });
    expect(refused.statusCode).toBe(400);
    const problem = refused.json() as { detail: string };
    expect(problem.detail).toContain(
      'config.driver.cores: 9007199254740991 is more than 896 cores, the largest node a karpenter cluster can have (AWS u7in-32tb.224xlarge)',
    );
    expect(problem.detail).toContain('config.executor.memory: "99999999t" is more than 32 TiB');
    expect(problem.detail).toContain(
      'config.executor.instances: 1000000000 is more than 149999 executors: a Kubernetes cluster holds at most 150000 pods',
    );
    expect((await call('GET', '/api/v1/applications')).json().items).toEqual([]);
    // a large but possible pod passes
    const large = await call('POST', '/api/v1/applications', {
      clusterId: 'k8s',
      jobId: 'pi',
      configOverrides: { ...CONFIG, driver: { cores: 64, memory: '512g' }, executor: { instances: 1000 } },
    });
    expect(large.statusCode).toBe(201);
  });

  it('starts a session as a SparkConnect, RUNNING once its server answers gRPC, and stops it by deleting it', async () => {
    const started = await call('POST', '/api/v1/sessions', { clusterId: 'k8s' });
    expect(started.statusCode).toBe(201);
    const id = (started.json() as { application: Application }).application.id;
    await waitFor('the SparkConnect', async () => server.get(NS, id));
    expect(server.get(NS, id)).toMatchObject({ kind: 'SparkConnect', spec: { dynamicAllocation: { enabled: true } } });
    server.setStatus(NS, id, { state: 'Ready', server: { podName: `${id}-server` } });
    const grpc = createHttp2Server();
    grpc.on('stream', (stream) =>
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '3' }, { endStream: true }),
    );
    await new Promise<void>((resolve) => grpc.listen(connectPort, '127.0.0.1', resolve));
    try {
      await waitFor('RUNNING', async () => (await appNow(id)).state === 'RUNNING');
      const stopped = await call('DELETE', `/api/v1/sessions/${id}`);
      expect(stopped.statusCode).toBe(200);
      await waitFor('KILLED', async () => (await appNow(id)).state === 'KILLED');
      expect(server.get(NS, id)).toBeUndefined();
    } finally {
      await new Promise((resolve) => grpc.close(resolve));
    }
  });

  it('starts a sql session as the Thrift Server in the cluster, and relays /code and /hive to it once OpenSession answers', async () => {
    const started = await call('POST', '/api/v1/sessions', {
      clusterId: 'k8s',
      configOverrides: { session: { kind: 'sql' } },
    });
    expect(started.statusCode, started.body).toBe(201);
    const id = (started.json() as { application: Application }).application.id;
    await waitFor('the SparkApplication', async () => server.get(NS, id));
    expect(server.service(NS, `${id}-thrift`)).toBeDefined();
    const thrift = thriftStandIn();
    await listenThrift(thrift, thriftPort);
    try {
      // the driver runs: the session reads RUNNING once its server answers, not before
      server.setStatus(NS, id, { applicationState: { state: 'RUNNING' } });
      await waitFor('RUNNING', async () => (await appNow(id)).state === 'RUNNING');

      const code = await runtime.server.inject({
        method: 'POST',
        url: `/ocean/spark/cluster/k8s/app/${id}/code?accountId=a`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-thrift' },
        payload: openSessionCall(3),
      });
      expect(code.statusCode, code.body).toBe(200);
      expect(readMessage(code.rawPayload)).toMatchObject({ name: 'OpenSession', type: MESSAGE_TYPE.REPLY, seqid: 3 });

      const address = await runtime.server.listen({ port: 0, host: '127.0.0.1' });
      const socket = new WebSocket(
        `${address.replace(/^http/, 'ws')}/ocean/spark/cluster/k8s/app/${id}/hive?accountId=a`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      const reply = await new Promise<Buffer>((resolve, reject) => {
        socket.on('open', () => socket.send(openSessionCall(4)));
        socket.on('message', (data) => resolve(data as Buffer));
        socket.on('error', reject);
      });
      socket.close();
      expect(readMessage(reply)).toMatchObject({ name: 'OpenSession', type: MESSAGE_TYPE.REPLY, seqid: 4 });

      expect((await call('DELETE', `/api/v1/sessions/${id}`)).statusCode).toBe(200);
      await waitFor('KILLED', async () => (await appNow(id)).state === 'KILLED');
      expect(server.get(NS, id)).toBeUndefined();
      expect(server.service(NS, `${id}-thrift`)).toBeUndefined();
    } finally {
      await new Promise((resolve) => thrift.close(resolve));
    }
  });

  it('marks the applications already handed over when the operator goes down (DEGRADED), and clears it when it is back', async () => {
    const submitted = await call('POST', '/api/v1/applications', {
      clusterId: 'k8s',
      jobId: 'pi',
      configOverrides: CONFIG,
    });
    const id = (submitted.json() as Application).id;
    await waitFor('the hand-over', async () => (await appNow(id)).backendRef);
    server.setStatus(NS, id, { applicationState: { state: 'RUNNING' } });
    await waitFor('RUNNING', async () => (await appNow(id)).state === 'RUNNING');
    expect((await appNow(id)).stateReason).toBeUndefined();

    server.operator = [{ component: 'controller', available: 0 }];
    await runtime.health.refresh();
    expect((await appNow(id)).stateReason).toBe(
      "the cluster is DEGRADED: spark-operator's controller spark-operator/spark-operator-controller has 0/1 available replicas: SparkApplications are not started; what it reports of this application may lag until it is back",
    );

    server.operator = [{ component: 'controller', available: 1 }];
    await runtime.health.refresh();
    const back = await appNow(id);
    expect(back.state).toBe('RUNNING');
    expect(back.stateReason).toBeUndefined();
  });
});
