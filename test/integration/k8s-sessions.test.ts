/**
 * Sessions on the kubernetes back-end: a SparkConnect per session, against the test API server over
 * real HTTP with the test playing spark-operator, and RUNNING only once a gRPC server answers at the
 * address the runtime reaches the session by.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubernetesClusterSettings } from '../../runtime/adapters/k8s/cluster-settings';
import { SPARK_APPLICATION_CRD_FILE, SPARK_CONNECT_CRD_FILE } from '../../runtime/adapters/k8s/crd-validator';
import { KubernetesSparkBackend } from '../../runtime/adapters/k8s/kubernetes-backend';
import { freePort } from '../../runtime/adapters/local/spark-ui-port';
import type { Application } from '../../runtime/domain/application';
import type { ApplicationConfig } from '../../runtime/domain/config';
import type { BackendStatus } from '../../runtime/domain/ports';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver';
import { loadCrdValidator } from '../support/k8s-crd-validator';
import { listenThrift, thriftStandIn } from '../support/thrift-stand-in';

const NS = 'spark-apps';
const CONFIG: ApplicationConfig = { driver: { cores: 1, memory: '1g' }, executor: { cores: 2, memory: '2g' } };
const validator = loadCrdValidator(SPARK_CONNECT_CRD_FILE, 'v1alpha1');
const applicationValidator = loadCrdValidator(SPARK_APPLICATION_CRD_FILE, 'v1beta2');
const SQL_CONFIG: ApplicationConfig = { ...CONFIG, session: { kind: 'sql' } };

function session(id: string, config = CONFIG): Application {
  return {
    id,
    type: 'session',
    clusterId: 'dev',
    state: 'NEW',
    submissionSource: 'api',
    configOverrides: config,
    config,
    provenance: {} as Application['provenance'],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
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

/** A gRPC server as far as the readiness probe can tell: every call answers a gRPC status. */
function grpcServer(): Http2Server {
  const server = createHttp2Server();
  server.on('stream', (stream) =>
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '3' }, { endStream: true }),
  );
  return server;
}

let server: FakeKubeApiServer;
let backend: KubernetesSparkBackend;
let grpc: Http2Server | undefined;
let connectPort: number;
let thriftPort: number;
let seen: { appId: string; status: BackendStatus }[];

function makeBackend(settings: Record<string, unknown> = {}): KubernetesSparkBackend {
  const made = new KubernetesSparkBackend({
    clusterId: 'dev',
    kubeConfig: server.kubeConfig(),
    settings: KubernetesClusterSettings.parse({
      eventLogBucketUrl: 's3a://logs',
      // the runtime out of the cluster: the session's server is reached where the test's gRPC server listens
      sessionConnectAddress: `127.0.0.1:${connectPort}`,
      sessionThriftAddress: `127.0.0.1:${thriftPort}`,
      ...settings,
    }),
    requestTimeoutMs: 2_000,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    sessionProbeIntervalMs: 50,
  });
  made.onStatus((appId, status) => seen.push({ appId, status }));
  return made;
}

const lastOf = (appId: string) => seen.filter((s) => s.appId === appId).at(-1)?.status;

beforeEach(async () => {
  server = await FakeKubeApiServer.start();
  seen = [];
  connectPort = await freePort('127.0.0.1');
  thriftPort = await freePort('127.0.0.1');
  backend = makeBackend();
});

afterEach(async () => {
  await backend.close();
  await server.close();
  if (grpc) await new Promise((resolve) => grpc!.close(resolve));
  grpc = undefined;
});

describe('KubernetesSparkBackend sessions', () => {
  it('vendors the upstream SparkConnect CRD unchanged', () => {
    const upstream = fileURLToPath(
      new URL('../../../shared/schemas/spark-operator/sparkoperator.k8s.io_sparkconnects.yaml', import.meta.url),
    );
    expect(readFileSync(SPARK_CONNECT_CRD_FILE, 'utf8')).toBe(readFileSync(upstream, 'utf8'));
  });

  it('creates a SparkConnect the CRD accepts, and is RUNNING only once Spark Connect answers at its address', async () => {
    expect(await backend.problems(session('session-a'), CONFIG)).toEqual([]);
    const { backendRef } = await backend.submit(session('session-a'), CONFIG);
    expect(backendRef).toBe('spark-apps/session-a');
    const created = server.get(NS, 'session-a')!;
    expect(created.kind).toBe('SparkConnect');
    expect(validator.errors(created)).toEqual([]);
    expect(created).toMatchObject({
      spec: {
        server: { cores: 1, memory: '1024m' },
        dynamicAllocation: { enabled: true, minExecutors: 0 },
        sparkConf: { 'spark.app.id': 'session-a', 'spark.eventLog.enabled': 'true' },
      },
    });
    // no SparkApplication was made for it
    expect(server.count('POST', 'sparkapplications')).toBe(0);
    await waitFor('PENDING', () => lastOf('session-a')?.state === 'PENDING');

    server.setStatus(NS, 'session-a', { state: 'Provisioning' });
    server.setStatus(NS, 'session-a', {
      state: 'Ready',
      startTime: '2026-01-01T00:00:05Z',
      server: { podName: 'session-a-server', podIp: '10.0.0.7', serviceName: 'session-a-server' },
    });
    // the pod is ready but nothing answers gRPC yet: still PENDING, saying what it waits for
    const waiting = await waitFor('the reason', () =>
      lastOf('session-a')?.reason?.includes('waiting for Spark Connect') ? lastOf('session-a') : undefined,
    );
    expect(waiting).toEqual({
      state: 'PENDING',
      reason: `the server pod is ready; waiting for Spark Connect to answer at 127.0.0.1:${connectPort}`,
    });
    expect(await backend.connectEndpoint(session('session-a'))).toBeUndefined();

    grpc = grpcServer();
    await new Promise<void>((resolve) => grpc!.listen(connectPort, '127.0.0.1', resolve));
    await waitFor('RUNNING', () => lastOf('session-a')?.state === 'RUNNING');
    expect(lastOf('session-a')).toEqual({ state: 'RUNNING', startedAt: '2026-01-01T00:00:05Z' });
    expect(await backend.connectEndpoint(session('session-a'))).toEqual({ host: '127.0.0.1', port: connectPort });
    expect(await backend.status(session('session-a'))).toMatchObject({ state: 'RUNNING' });
    // measured from its event log like an application, under the id it was rendered with
    expect(backend.eventLogPath(session('session-a'))).toBe('s3a://logs/eventlogs/eventlog_v2_session-a');

    await backend.kill(session('session-a'));
    expect(server.get(NS, 'session-a')).toBeUndefined();
    expect(server.count('DELETE', 'sparkconnects/session-a')).toBe(1);
    await waitFor('KILLED', () => lastOf('session-a')?.state === 'KILLED');
    expect(await backend.connectEndpoint(session('session-a'))).toBeUndefined();
  });

  it("says why a session failed: the operator's words on its server pod", async () => {
    await backend.submit(session('session-b'), CONFIG);
    server.setStatus(NS, 'session-b', {
      state: 'Failed',
      conditions: [
        {
          type: 'ServerPodReady',
          status: 'False',
          reason: 'ServerPodNotReady',
          message: 'Server pod failed: Back-off pulling image "spark:nope"',
          lastTransitionTime: '2026-01-01T00:00:09Z',
        },
      ],
    });
    await waitFor('FAILED', () => lastOf('session-b')?.state === 'FAILED');
    expect(lastOf('session-b')?.reason).toBe(
      'the Spark Connect server failed: Server pod failed: Back-off pulling image "spark:nope"',
    );
  });

  it('deletes a session whose server never answers within sessionReadySeconds, FAILED with what it waited for', async () => {
    await backend.close();
    backend = makeBackend({ sessionReadySeconds: 1 });
    await backend.submit(session('session-c'), CONFIG);
    server.setStatus(NS, 'session-c', { state: 'Ready', server: { podName: 'session-c-server' } });
    await waitFor('FAILED', () => lastOf('session-c')?.state === 'FAILED', 10_000);
    expect(lastOf('session-c')?.reason).toBe(
      `Spark Connect did not answer within 1 s (sessionReadySeconds): the server pod is ready; waiting for Spark Connect to answer at 127.0.0.1:${connectPort}`,
    );
    await waitFor('deleted', () => server.get(NS, 'session-c') === undefined);
    // one end only: the deletion that follows is no news
    expect(seen.filter((s) => s.appId === 'session-c' && s.status.state === 'FAILED')).toHaveLength(1);
  });

  it("reads the server pod's log as the session's driver log", async () => {
    await backend.submit(session('session-d'), CONFIG);
    server.setStatus(NS, 'session-d', { state: 'Provisioning', server: { podName: 'session-d-server' } });
    server.appendPodLog(NS, 'session-d-server', 'Spark Connect server started at: 0.0.0.0:15002\n');
    const lines: string[] = [];
    for await (const line of backend.driverLog(session('session-d'), { follow: false })) lines.push(line);
    expect(lines).toEqual(['Spark Connect server started at: 0.0.0.0:15002']);
  });

  it('refuses a session config the SparkConnect CRD would refuse, naming the config field', async () => {
    const bad: ApplicationConfig = { ...CONFIG, labels: { 'Data Eng': 'x' } };
    const issues = await backend.problems(session('session-e'), bad);
    expect(issues.map((i) => i.path)).toEqual(['config.labels.Data Eng']);
    expect(issues[0]!.message).toMatch(/not a label key/);
  });

  it('follows a session again after a restart, from a status read, and reads it RUNNING without a step back to PENDING', async () => {
    await backend.submit(session('session-f'), CONFIG);
    server.setStatus(NS, 'session-f', { state: 'Ready', startTime: '2026-01-01T00:00:05Z' });
    grpc = grpcServer();
    await new Promise<void>((resolve) => grpc!.listen(connectPort, '127.0.0.1', resolve));
    await waitFor('RUNNING', () => lastOf('session-f')?.state === 'RUNNING');
    await backend.close();

    seen = [];
    backend = makeBackend();
    // a restarted runtime reconciles through status(): the server is asked before anything is told
    expect(await backend.status(session('session-f'))).toEqual({ state: 'RUNNING', startedAt: '2026-01-01T00:00:05Z' });
    await waitFor('RUNNING again', () => lastOf('session-f')?.state === 'RUNNING');
    expect(await backend.connectEndpoint(session('session-f'))).toEqual({ host: '127.0.0.1', port: connectPort });
    // its watch has listed it meanwhile: still no PENDING, which the lifecycle would refuse (RUNNING -> PENDING)
    await waitFor('the watch', () => server.count('GET', 'sparkconnects?') > 0);
    expect(seen.filter((s) => s.appId === 'session-f').map((s) => s.status.state)).toEqual(['RUNNING']);
  });

  it("proxies the session's live Spark UI: the web-ui port of its server Service, through the API server", async () => {
    const driverUi = createHttpServer((req, res) => res.end(`spark ui ${req.url}`));
    await new Promise<void>((resolve) => driverUi.listen(0, '127.0.0.1', resolve));
    try {
      server.serveService(NS, 'session-h-svc:4040', `http://127.0.0.1:${(driverUi.address() as AddressInfo).port}`);
      await backend.submit(session('session-h'), CONFIG);
      // the Service targets 4040 whatever the config says, so the server's UI is kept there
      expect((server.get(NS, 'session-h')!.spec as { sparkConf: Record<string, string> }).sparkConf).toMatchObject({
        'spark.ui.port': '4040',
      });
      server.setStatus(NS, 'session-h', {
        state: 'Ready',
        server: { podName: 'session-h-0', serviceName: 'session-h-svc' },
      });
      await waitFor('the status', () => lastOf('session-h')?.state === 'PENDING');
      const target = await backend.sparkUiTarget(session('session-h'));
      expect(target.linkPrefix).toBe(`/api/v1/namespaces/${NS}/services/session-h-svc:4040/proxy`);
      const page = await fetch(`${target.url}/jobs/`, { headers: target.headers });
      expect(await page.text()).toBe('spark ui /jobs/');
    } finally {
      await new Promise((resolve) => driverUi.close(resolve));
    }
  });

  it('a restarted runtime whose session does not answer says so, once asked', async () => {
    await backend.submit(session('session-g'), CONFIG);
    server.setStatus(NS, 'session-g', { state: 'Ready' });
    await backend.close();
    seen = [];
    backend = makeBackend();
    expect(await backend.status(session('session-g'))).toEqual({
      state: 'PENDING',
      reason: `the server pod is ready; waiting for Spark Connect to answer at 127.0.0.1:${connectPort}`,
    });
  });

  it('runs a sql session as a SparkApplication of the Thrift Server with a Service, RUNNING once OpenSession answers', async () => {
    const app = session('sql-a', SQL_CONFIG);
    expect(await backend.problems(app, SQL_CONFIG)).toEqual([]);
    await backend.submit(app, SQL_CONFIG);
    expect(server.count('POST', 'sparkconnects')).toBe(0);
    const created = server.get(NS, 'sql-a')!;
    expect(created.kind).toBe('SparkApplication');
    expect(applicationValidator.errors(created)).toEqual([]);
    expect(created.spec).toMatchObject({
      type: 'Scala',
      mainClass: 'org.apache.spark.sql.hive.thriftserver.HiveThriftServer2',
      mainApplicationFile: 'local:///opt/spark/jars/spark-hive-thriftserver_2.13-4.0.1.jar',
      arguments: [
        '--hiveconf',
        'hive.server2.thrift.bind.host=0.0.0.0',
        '--hiveconf',
        'hive.server2.thrift.port=10000',
        '--hiveconf',
        'hive.server2.transport.mode=binary',
        '--hiveconf',
        'hive.server2.authentication=NOSASL',
      ],
      sparkConf: { 'spark.sql.catalogImplementation': 'hive' },
      dynamicAllocation: { enabled: true, minExecutors: 0 },
    });
    // in front of the driver, owned by the SparkApplication so that it goes with it
    expect(server.service(NS, 'sql-a-thrift')).toMatchObject({
      metadata: { ownerReferences: [{ kind: 'SparkApplication', name: 'sql-a', uid: 'uid-sql-a', controller: true }] },
      spec: {
        type: 'ClusterIP',
        selector: { 'sparkplane.io/app-id': 'sql-a', 'spark-role': 'driver' },
        ports: [{ name: 'thrift', port: 10000, targetPort: 10000 }],
      },
    });

    // the driver runs, but nothing answers OpenSession yet
    server.setStatus(NS, 'sql-a', {
      applicationState: { state: 'RUNNING' },
      lastSubmissionAttemptTime: '2026-01-01T00:00:07Z',
    });
    const waiting = await waitFor('the reason', () =>
      lastOf('sql-a')?.reason?.includes('Thrift Server') ? lastOf('sql-a') : undefined,
    );
    expect(waiting).toEqual({
      state: 'PENDING',
      reason: `the driver runs; waiting for the Spark Thrift Server to answer at 127.0.0.1:${thriftPort}`,
    });
    expect(await backend.connectEndpoint(app)).toBeUndefined();

    const thrift = thriftStandIn();
    await listenThrift(thrift, thriftPort);
    try {
      await waitFor('RUNNING', () => lastOf('sql-a')?.state === 'RUNNING');
      expect(lastOf('sql-a')).toEqual({ state: 'RUNNING', startedAt: '2026-01-01T00:00:07Z' });
      expect(await backend.connectEndpoint(app)).toEqual({ host: '127.0.0.1', port: thriftPort });

      // a restart reads it RUNNING straight away: the server is asked before anything is told
      await backend.close();
      seen = [];
      backend = makeBackend();
      expect(await backend.status(app)).toEqual({ state: 'RUNNING', startedAt: '2026-01-01T00:00:07Z' });
      expect(await backend.connectEndpoint(app)).toEqual({ host: '127.0.0.1', port: thriftPort });

      await backend.kill(app);
      expect(server.get(NS, 'sql-a')).toBeUndefined();
      expect(server.service(NS, 'sql-a-thrift')).toBeUndefined();
    } finally {
      await new Promise((resolve) => thrift.close(resolve));
    }
  });

  it('fails a sql session whose Thrift Server never answers within sessionReadySeconds, and deletes it with its Service', async () => {
    await backend.close();
    backend = makeBackend({ sessionReadySeconds: 1 });
    await backend.submit(session('sql-b', SQL_CONFIG), SQL_CONFIG);
    server.setStatus(NS, 'sql-b', { applicationState: { state: 'RUNNING' } });
    await waitFor('FAILED', () => lastOf('sql-b')?.state === 'FAILED', 10_000);
    expect(lastOf('sql-b')?.reason).toBe(
      `the Spark Thrift Server did not answer within 1 s (sessionReadySeconds): the driver runs; waiting for the Spark Thrift Server to answer at 127.0.0.1:${thriftPort}`,
    );
    await waitFor('deleted', () => server.get(NS, 'sql-b') === undefined && !server.service(NS, 'sql-b-thrift'));
  });
});
