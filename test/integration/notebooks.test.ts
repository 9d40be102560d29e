/**
 * Jupyter notebooks end to end with real Spark: jupyter-server's own GatewayClient (a headless
 * `jupyter server --GatewayClient.url=<runtime>/ocean/spark/cluster/local/notebook/`, from
 * .venv/jupyter) lists the kernelspecs, starts a kernel, runs a cell with a shuffle, interrupts and
 * restarts it and shuts it down through the runtime's gateway API; the notebook is an application
 * of type notebook without a job, measured when it ends. A bad token is refused over HTTP and
 * WebSocket; killing the application ends its kernel; an idle kernel is culled. On a Kubernetes
 * cluster (the test API server, with a local Spark Connect server standing in for the notebook's
 * SparkConnect), the kernel's `spark` is a Spark Connect client of the server in the cluster.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import type { Kernel, KernelSpecs } from '../../runtime/domain/notebook';
import { freePort } from '../../runtime/adapters/local/spark-ui-port';
import { stopGroup } from '../../runtime/adapters/local/process-group';
import { ServiceConfig } from '../../runtime/main/config';
import { buildRuntime, type Runtime } from '../../runtime/main/runtime';
import { SPARK_CONNECT_CRD_FILE } from '../../runtime/adapters/k8s/crd-validator';
import { kubernetesBackend } from '../../runtime/adapters/k8s/plugin';
import { FakeBackend, fakeBackendPlugin } from '../support/fake-backend';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver';
import { loadCrdValidator } from '../support/k8s-crd-validator';
import { REPOSITORY, sparkEnv, waitFor } from '../support/spark';
import { type SparkConnectServer, startSparkConnectServer } from '../support/spark-connect';

const JUPYTER_PYTHON = join(REPOSITORY, '.venv', 'jupyter', 'bin', 'python');
const adminToken = 'notebooks-admin-token-0123456789abcdef';
const dataDir = mkdtempSync(join(tmpdir(), 'sparkplane-notebooks-'));
/** Short, so that the cull test waits seconds, and long enough that a kernel in use is never idle that long. */
const IDLE_MINUTES = 1.5;

let runtime: Runtime;
let base: string;
let userToken: string;
let jupyter: ChildProcess | undefined;
let jupyterBase: string;
const jupyterToken = randomUUID();
let kube: FakeKubeApiServer;
/** Stands in for the SparkConnect server of a notebook on the Kubernetes cluster. */
let clusterConnect: Promise<SparkConnectServer> | undefined;

const runtimeGet = (path: string, token = userToken) =>
  fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
const appOf = async (id: string): Promise<Application> =>
  (await (await runtimeGet(`/api/v1/applications/${id}`)).json()) as Application;

async function jupyterFetch(path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return fetch(`${jupyterBase}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `token ${jupyterToken}`, 'content-type': 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

beforeAll(async () => {
  const env = sparkEnv(); // fails naming what is missing
  if (!existsSync(JUPYTER_PYTHON)) throw new Error(`${JUPYTER_PYTHON} is missing: run scripts/python-envs.sh`);
  // its JVM starts meanwhile; no token, as in a cluster where only the runtime reaches the server
  const connectPort = await freePort('127.0.0.1');
  clusterConnect = startSparkConnectServer(env, join(dataDir, 'cluster-connect'), undefined, {}, connectPort);
  clusterConnect.catch(() => undefined);
  kube = await FakeKubeApiServer.start();
  const config = ServiceConfig.parse({
    dataDir,
    port: 0,
    adminToken,
    notebooks: { idleTimeoutMinutes: IDLE_MINUTES },
    clustersFile: {
      path: join(dataDir, 'clusters.yaml'),
      clusters: [
        { id: 'local', backend: 'local', settings: {} },
        { id: 'k8s', backend: 'kubernetes', settings: { sessionConnectAddress: `127.0.0.1:${connectPort}` } },
      ],
    },
  });
  runtime = await buildRuntime(config, {
    plugins: [
      fakeBackendPlugin(new FakeBackend()),
      kubernetesBackend({ kubeConfig: () => kube.kubeConfig(), retry: { baseDelayMs: 10, maxDelayMs: 50 } }),
    ],
    logger: pino({ level: 'silent' }),
    validateResponses: true,
  });
  await runtime.tokens.ensureAdminToken(adminToken);
  userToken = (
    await runtime.tokens.create({
      name: 'ana',
      scopes: ['applications:create', 'applications:read', 'applications:kill'],
    })
  ).secret;
  await runtime.store.putTemplate('local', {
    id: 'small',
    config: {
      driver: { cores: 1, memory: '512m' },
      executor: { instances: 1, cores: 2 },
      sparkConf: { 'spark.sql.shuffle.partitions': '4', 'spark.ui.showConsoleProgress': 'false' },
    },
  });
  await runtime.store.putTemplate('k8s', { id: 'small', config: { driver: { cores: 1, memory: '1g' } } });
  await runtime.start();
  base = await runtime.server.listen({ port: 0, host: '127.0.0.1' });

  const port = await freePort('127.0.0.1');
  const home = mkdtempSync(join(dataDir, 'jupyter-'));
  jupyter = spawn(
    JUPYTER_PYTHON,
    [
      '-m',
      'jupyter_server',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      '--ServerApp.open_browser=False',
      // CI runs as root
      '--ServerApp.allow_root=True',
      `--ServerApp.root_dir=${home}`,
      `--IdentityProvider.token=${jupyterToken}`,
      `--GatewayClient.url=${base}/ocean/spark/cluster/local/notebook/`,
      `--GatewayClient.auth_token=${userToken}`,
    ],
    {
      detached: true,
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        JUPYTER_CONFIG_DIR: join(home, 'config'),
        JUPYTER_DATA_DIR: join(home, 'data'),
        JUPYTER_RUNTIME_DIR: join(home, 'runtime'),
        // reaches the kernel as GREETING
        KERNEL_VAR_GREETING: 'hello-from-the-client',
      },
    },
  );
  jupyterBase = `http://127.0.0.1:${port}`;
  for (let waited = 0; (await jupyterFetch('/api/status').catch(() => undefined))?.status !== 200; waited += 250) {
    if (waited > 60_000) throw new Error('jupyter server did not answer within 60 s');
    await sleep(250);
  }
}, 120_000);

afterAll(async () => {
  if (jupyter?.pid !== undefined) await stopGroup(jupyter.pid, 10_000);
  await runtime?.close();
  await (await clusterConnect?.catch(() => undefined))?.stop();
  await kube?.close();
  rmSync(dataDir, { recursive: true, force: true });
}, 180_000);

interface Message {
  header: { msg_id: string; msg_type: string };
  parent_header: { msg_id?: string };
  content: Record<string, unknown>;
  channel: string;
}

/** Runs code in the kernel over its channels (Jupyter's JSON protocol); `during` runs once the cell is sent. */
async function execute(
  socket: WebSocket,
  code: string,
  during?: () => Promise<void>,
): Promise<{ stdout: string; reply: Record<string, unknown> }> {
  const msgId = randomUUID();
  let stdout = '';
  const done = new Promise<Record<string, unknown>>((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as Message;
      if (message.parent_header.msg_id !== msgId) return;
      if (message.header.msg_type === 'stream' && message.content.name === 'stdout') stdout += message.content.text;
      if (message.header.msg_type === 'execute_reply') {
        socket.off('message', onMessage);
        resolve(message.content);
      }
    };
    socket.on('message', onMessage);
  });
  socket.send(
    JSON.stringify({
      header: {
        msg_id: msgId,
        msg_type: 'execute_request',
        username: 'test',
        session: randomUUID(),
        version: '5.3',
        date: new Date().toISOString(),
      },
      parent_header: {},
      metadata: {},
      content: {
        code,
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: true,
      },
      channel: 'shell',
    }),
  );
  await during?.();
  const reply = await Promise.race([
    done,
    sleep(120_000).then(() => {
      throw new Error(`no execute_reply within 120 s to: ${code}`);
    }),
  ]);
  return { stdout, reply };
}

async function channels(kernelId: string): Promise<WebSocket> {
  const socket = new WebSocket(
    `${jupyterBase.replace('http', 'ws')}/api/kernels/${kernelId}/channels?token=${jupyterToken}`,
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

const SHUFFLE = [
  'import os',
  'df = spark.range(0, 10000, numPartitions=4).selectExpr("id % 7 AS k").groupBy("k").count()',
  'rows = df.collect()',
  "print(f\"groups={len(rows)} total={sum(r['count'] for r in rows)} greeting={os.environ.get('GREETING')}\")",
].join('\n');

describe('a notebook through jupyter-server and the runtime', () => {
  it('lists a kernelspec per template, runs a Spark query with a shuffle, interrupts, restarts and shuts down', async () => {
    const specs = (await (await jupyterFetch('/api/kernelspecs')).json()) as KernelSpecs;
    expect(Object.keys(specs.kernelspecs)).toContain('small');
    expect(specs.kernelspecs.small!.spec.display_name).toMatch(/^PySpark small \(local\)/);

    const started = await jupyterFetch('/api/kernels', { method: 'POST', body: { name: 'small' } });
    expect(started.status).toBe(201);
    const kernel = (await started.json()) as Kernel;

    // the kernel's start is recorded by the lifecycle after the gateway answered: read until it is
    let app: Application | undefined;
    for (let attempt = 0; attempt < 600 && app?.state !== 'RUNNING'; attempt++) {
      if (attempt > 0) await sleep(100);
      const listed = (await (await runtimeGet('/api/v1/applications?type=notebook')).json()) as {
        items: Application[];
      };
      app = listed.items.find((a) => a.backendRef === kernel.id);
    }
    expect(app).toMatchObject({
      type: 'notebook',
      clusterId: 'local',
      userId: 'ana',
      state: 'RUNNING',
      configTemplateId: 'small',
    });
    expect(app).not.toHaveProperty('jobId');
    expect(app!.config.driver?.envVars).toEqual({ GREETING: 'hello-from-the-client' });

    const socket = await channels(kernel.id);
    let first: { stdout: string; reply: Record<string, unknown> };
    try {
      first = await execute(socket, SHUFFLE);
      expect(first.reply.status).toBe('ok');
      expect(first.stdout).toContain('groups=7 total=10000 greeting=hello-from-the-client');

      const interrupted = await execute(socket, 'import time\ntime.sleep(600)', async () => {
        await sleep(1000);
        expect((await jupyterFetch(`/api/kernels/${kernel.id}/interrupt`, { method: 'POST', body: {} })).status).toBe(
          204,
        );
      });
      expect(interrupted.reply).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    } finally {
      socket.close();
    }

    expect((await jupyterFetch(`/api/kernels/${kernel.id}/restart`, { method: 'POST', body: {} })).status).toBe(200);
    const again = await channels(kernel.id);
    try {
      // a new Python process: nothing of the first is left, and a new SparkSession is ready
      const after = await execute(again, 'print("rows" in globals(), spark.range(5).count())');
      expect(after.stdout).toContain('False 5');
    } finally {
      again.close();
    }
    expect((await appOf(app!.id)).state).toBe('RUNNING');

    expect((await jupyterFetch(`/api/kernels/${kernel.id}`, { method: 'DELETE' })).status).toBe(204);
    const ended = await appOf(app!.id);
    expect(ended.state).toBe('COMPLETED');
    expect(ended.stateReason).toBe('the kernel was shut down by ana');
    await expect.poll(async () => (await appOf(app!.id)).measurement?.state, { timeout: 60_000 }).toBe('measured');
    const measured = await appOf(app!.id);
    expect(measured.metrics?.tasks.completed).toBeGreaterThan(0);
    // the kernel's Spark driver logs to the application's driver log, not into the cells
    expect(await (await runtimeGet(`/api/v1/applications/${app!.id}/log`)).text()).toContain(
      "Using Spark's default log4j profile",
    );
    expect(first.stdout).not.toContain("Using Spark's default log4j profile");
    expect((await runtimeGet(`/ocean/spark/cluster/local/notebook/api/kernels/${kernel.id}`)).status).toBe(404);
  });

  it('refuses a bad token over HTTP and on the WebSocket upgrade', async () => {
    const path = '/ocean/spark/cluster/local/notebook/api/kernelspecs';
    expect((await fetch(`${base}${path}`, { headers: { authorization: 'token not-a-token' } })).status).toBe(401);
    expect((await fetch(`${base}${path}`)).status).toBe(401);
    expect((await fetch(`${base}${path}`, { headers: { authorization: `token ${userToken}` } })).status).toBe(200);
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(
        `${base.replace('http', 'ws')}/ocean/spark/cluster/local/notebook/api/kernels/any/channels`,
        {
          headers: { authorization: 'token not-a-token' },
        },
      );
      socket.once('unexpected-response', (request, response) => {
        request.destroy();
        resolve(response.statusCode ?? 0);
      });
      socket.once('open', () => reject(new Error('the upgrade was accepted')));
      socket.once('error', () => undefined);
    });
    expect(status).toBe(401);
  });

  it('ends the kernel when the application is killed, and culls an idle kernel', async () => {
    const start = async (): Promise<Kernel> => {
      const reply = await fetch(`${base}/api/v1/clusters/local/notebook/api/kernels`, {
        method: 'POST',
        headers: { authorization: `token ${userToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'small', env: {} }),
      });
      expect(reply.status).toBe(201);
      return (await reply.json()) as Kernel;
    };
    const appIdOf = async (kernel: Kernel) => {
      const listed = (await (await runtimeGet('/api/v1/applications?type=notebook')).json()) as {
        items: Application[];
      };
      return listed.items.find((a) => a.backendRef === kernel.id)!.id;
    };
    const idle = await start();
    const killed = await start();
    const killedId = await appIdOf(killed);
    expect(
      (
        await fetch(`${base}/api/v1/applications/${killedId}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${userToken}` },
        })
      ).status,
    ).toBe(200);
    expect(await appOf(killedId)).toMatchObject({ state: 'KILLED', stateReason: 'killed by ana' });
    const kernels = (await (await runtimeGet('/api/v1/clusters/local/notebook/api/kernels')).json()) as Kernel[];
    expect(kernels.map((k) => k.id)).toEqual([idle.id]);

    const idleId = await appIdOf(idle);
    await expect.poll(async () => (await appOf(idleId)).state, { timeout: 200_000, interval: 1000 }).toBe('TIMED_OUT');
    expect((await appOf(idleId)).stateReason).toMatch(/idle time-out 90 s\): culled$/);
  });
});

describe('a notebook on a Kubernetes cluster', () => {
  it("runs its Spark in the cluster: the kernel's spark is a Spark Connect client of the notebook's SparkConnect", async () => {
    const kernelsPath = '/api/v1/clusters/k8s/notebook/api/kernels';
    const headers = { authorization: `token ${userToken}`, 'content-type': 'application/json' };
    // answered once the server answers and the kernel runs
    const starting = fetch(`${base}${kernelsPath}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'small' }),
    });
    const id = await waitFor(
      'the notebook application',
      async () =>
        (
          (await (await runtimeGet('/api/v1/applications?type=notebook')).json()) as { items: Application[] }
        ).items.find((a) => a.clusterId === 'k8s')?.id,
      20_000,
    );
    const resource = await waitFor('its SparkConnect', () => kube.get('spark-apps', id), 20_000);
    expect(resource.kind).toBe('SparkConnect');
    expect(loadCrdValidator(SPARK_CONNECT_CRD_FILE, 'v1alpha1').errors(resource)).toEqual([]);
    await clusterConnect; // the stand-in answers at the address the cluster's settings name
    kube.setStatus('spark-apps', id, { state: 'Ready', server: { podName: `${id}-server` } });

    const started = await starting;
    expect(started.status, await started.clone().text()).toBe(201);
    const kernel = (await started.json()) as Kernel;
    await expect.poll(async () => (await appOf(id)).state, { timeout: 20_000 }).toBe('RUNNING');
    expect((await appOf(id)).backendRef).toBe(kernel.id);

    const socket = new WebSocket(`${base.replace('http', 'ws')}${kernelsPath}/${kernel.id}/channels`, { headers });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    try {
      const ran = await execute(
        socket,
        [
          'rows = spark.range(0, 1000, numPartitions=4).selectExpr("id % 5 AS k").groupBy("k").count().collect()',
          'print(type(spark).__module__, len(rows), sum(r["count"] for r in rows))',
        ].join('\n'),
      );
      expect(ran.reply.status, JSON.stringify(ran.reply)).toBe('ok');
      expect(ran.stdout).toContain('pyspark.sql.connect.session 5 1000');
    } finally {
      socket.close();
    }

    // the kernel shut down: its SparkConnect goes with it
    expect((await fetch(`${base}${kernelsPath}/${kernel.id}`, { method: 'DELETE', headers })).status).toBe(204);
    expect((await appOf(id)).state).toBe('COMPLETED');
    await expect.poll(() => kube.get('spark-apps', id), { timeout: 20_000 }).toBeUndefined();
  });
});
