/**
 * The runtime service end to end on real Spark, over real HTTP: one application completes with
 * metrics and a cost, one fails with its exception as the reason, one is killed mid-run (its whole
 * process group gone), one loses its driver JVM to a SIGKILL from outside (as the OOM killer does:
 * FAILED, its duration and cost estimated from the wall time), and the Ocean API shows the first three.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGroupAlive } from '../../runtime/adapters/local/process-group';
import type { Application } from '../../runtime/domain/application';
import type { RunMetrics } from '../../runtime/domain/metrics';
import { REPOSITORY, SLEEPER_SCRIPT, sparkEnv, spawnNode, waitFor, writeScript } from '../support/spark';
import { ADMIN_TOKEN, call, type Service, startService, waitForEnd } from './service-fixture';

sparkEnv(); // fails first, naming what is missing, when the Spark environment is not loaded

let service: Service;
const submitted = new Map<string, Application>();

interface OceanItem {
  id: string;
  appState: string;
  stateReason: string | null;
  metrics: { cost: { total: number }; spark: { sparkCoresDurationSeconds: number; durationSeconds: number } } | null;
}

const oceanItem = async (appId: string): Promise<OceanItem> => {
  const got = await call<{ response: { items: OceanItem[] } }>(
    service.url,
    'GET',
    `/ocean/spark/cluster/local/app/${appId}?accountId=act-e2e`,
  );
  expect(got.status).toBe(200);
  return got.body.response.items[0]!;
};

const submit = async (name: string, body: Record<string, unknown>) => {
  const response = await call<Application>(service.url, 'POST', '/api/v1/applications', {
    body: { clusterId: 'local', ...body },
  });
  expect(response.status, response.text).toBe(201);
  submitted.set(name, response.body);
  return response.body;
};

beforeAll(async () => {
  service = await startService();
  const scripts = join(service.dataDir, 'scripts');
  const pyApp = (file: string, lines: string[]) => ({
    type: 'Python',
    mainApplicationFile: writeScript(scripts, file, lines.join('\n')),
    executor: { instances: 1, cores: 1 },
  });
  // the three run at once: each costs a JVM start, and they are independent
  const pi = parse(readFileSync(join(REPOSITORY, 'examples', 'spark-pi.yaml'), 'utf8')) as Record<string, unknown>;
  await submit('pi', pi);
  await submit('failing', {
    jobId: 'e2e-failing',
    configOverrides: pyApp('failing.py', [
      'from pyspark.sql import SparkSession',
      'spark = SparkSession.builder.getOrCreate()',
      'spark.range(10).count()',
      'raise ValueError("no input rows for 2026-01-01")',
    ]),
  });
  await submit('oom-killed', {
    jobId: 'e2e-oom-killed',
    configOverrides: pyApp('oom-killed.py', [
      'import time',
      'from pyspark.sql import SparkSession',
      'spark = SparkSession.builder.getOrCreate()',
      'print("ready", spark.range(10).count(), flush=True)',
      'time.sleep(600)',
    ]),
  });
  await submit('sleeper', {
    jobId: 'e2e-sleeper',
    configOverrides: pyApp('sleeper.py', [
      'import time',
      'from pyspark.sql import SparkSession',
      'spark = SparkSession.builder.getOrCreate()',
      'print("ready", spark.range(10).count(), flush=True)',
      'time.sleep(600)',
    ]),
  });
});

afterAll(async () => {
  await service?.close();
});

describe('the runtime service on real Spark', () => {
  it('runs examples/spark-pi.yaml to COMPLETED with metrics and a cost', async () => {
    const pi = submitted.get('pi')!;
    expect(pi).toMatchObject({ jobId: 'spark-pi', clusterId: 'local', state: 'NEW' });
    const ended = await waitForEnd(service.url, pi.id);
    expect(ended.state, ended.stateReason).toBe('COMPLETED');
    const metrics = ended.metrics as unknown as RunMetrics;
    expect(metrics.durationMs).toBeGreaterThan(0);
    expect(metrics.executorCoreSeconds).toBeGreaterThan(0);
    expect(metrics.tasks.completed).toBeGreaterThan(0);
    expect(metrics.cost?.total).toBeGreaterThan(0);
    expect(metrics.cost?.currency).toBe('USD');

    const log = await call(service.url, 'GET', `/api/v1/applications/${pi.id}/log`);
    expect(log.text).toMatch(/^Pi is roughly 3\.\d+$/m);
  });

  it('ends a Python application that raises FAILED, with the exception line as the reason', async () => {
    const ended = await waitForEnd(service.url, submitted.get('failing')!.id);
    expect(ended.state).toBe('FAILED');
    expect(ended.stateReason).toBe('exit code 1: ValueError: no input rows for 2026-01-01');
  });

  it('kills a running application through DELETE: KILLED and its process group gone', async () => {
    const sleeper = submitted.get('sleeper')!;
    await waitFor(
      'the sleeper to print ready',
      async () => /^ready 10$/m.test((await call(service.url, 'GET', `/api/v1/applications/${sleeper.id}/log`)).text),
      180_000,
    );
    const running = (await call<Application>(service.url, 'GET', `/api/v1/applications/${sleeper.id}`)).body;
    expect(running.state).toBe('RUNNING');
    const pgid = Number(/^pgid:(\d+)$/.exec(running.backendRef ?? '')?.[1]);
    expect(isGroupAlive(pgid)).toBe(true);

    const killed = await call<Application>(service.url, 'DELETE', `/api/v1/applications/${sleeper.id}`);
    expect(killed.status).toBe(200);
    expect(killed.body.state).toBe('KILLED');
    expect(killed.body.stateReason).toContain('killed by');
    expect(isGroupAlive(pgid)).toBe(false);
    expect((await waitForEnd(service.url, sleeper.id)).state).toBe('KILLED');
  });

  it('ends an application whose driver JVM was SIGKILLed FAILED, its duration and cost estimated from the wall time', async () => {
    const app = submitted.get('oom-killed')!;
    await waitFor(
      'the application to print ready',
      async () => /^ready 10$/m.test((await call(service.url, 'GET', `/api/v1/applications/${app.id}/log`)).text),
      180_000,
    );
    const running = (await call<Application>(service.url, 'GET', `/api/v1/applications/${app.id}`)).body;
    const pgid = Number(/^pgid:(\d+)$/.exec(running.backendRef ?? '')?.[1]);
    // the driver runs on after its last event: the event log ends well before the run does
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const java = execFileSync('ps', ['-eo', 'pid=,pgid=,comm='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .find(([, group, command]) => Number(group) === pgid && command === 'java');
    expect(java, `a java process in group ${pgid}`).toBeDefined();
    process.kill(Number(java![0]), 'SIGKILL');

    const ended = await waitForEnd(service.url, app.id);
    expect(ended.state).toBe('FAILED');
    expect(ended.stateReason).toMatch(/137|SIGKILL|signal 9/);
    const measured = await waitFor(
      'the measurement',
      async () => {
        const got = (await call<Application>(service.url, 'GET', `/api/v1/applications/${app.id}`)).body;
        return got.measurement?.state !== undefined && got.measurement.state !== 'pending' && got;
      },
      60_000,
    );
    expect(measured.measurement?.state, measured.measurement?.reason).toBe('estimated');
    const metrics = measured.metrics as unknown as RunMetrics;
    const wallMs = Date.parse(measured.endedAt!) - Date.parse(measured.startedAt!);
    expect(metrics.durationMs).toBe(wallMs);
    expect(metrics.durationMs).toBeGreaterThan(5_000);
    expect(metrics.cost?.total).toBeGreaterThan(0);
    expect(metrics.cost?.method).toMatch(/^estimated from the run's wall time/);
  });

  it('shows the three through the Ocean API items: appState, metrics.spark, metrics.cost', async () => {
    const pi = await oceanItem(submitted.get('pi')!.id);
    expect(pi.appState).toBe('COMPLETED');
    expect(pi.metrics?.spark.sparkCoresDurationSeconds).toBeGreaterThan(0);
    expect(pi.metrics?.spark.durationSeconds).toBeGreaterThan(0);
    expect(pi.metrics?.cost.total).toBeGreaterThan(0);

    const failing = await oceanItem(submitted.get('failing')!.id);
    expect(failing).toMatchObject({
      appState: 'FAILED',
      stateReason: 'exit code 1: ValueError: no input rows for 2026-01-01',
    });
    const killed = await oceanItem(submitted.get('sleeper')!.id);
    expect(killed.appState).toBe('KILLED');
    expect(killed.stateReason).toContain('killed by');
  });
});

describe('a restart of the runtime', () => {
  it('reconciles an application that was running when the runtime died: FAILED with the reason, group stopped', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sparkplane-e2e-restart-'));
    const crashed = await startServeProcess(dataDir);
    let restarted: Service | undefined;
    try {
      const script = writeScript(join(dataDir, 'scripts'), 'long.py', SLEEPER_SCRIPT);
      const app = (
        await call<Application>(crashed.url, 'POST', '/api/v1/applications', {
          body: {
            clusterId: 'local',
            jobId: 'e2e-restart',
            configOverrides: { type: 'Python', mainApplicationFile: script, executor: { instances: 1, cores: 1 } },
          },
        })
      ).body;
      await waitFor(
        'the long application to print ready',
        async () => /^ready 10$/m.test((await call(crashed.url, 'GET', `/api/v1/applications/${app.id}/log`)).text),
        180_000,
      );
      const running = (await call<Application>(crashed.url, 'GET', `/api/v1/applications/${app.id}`)).body;
      expect(running.state).toBe('RUNNING');
      const pgid = Number(/^pgid:(\d+)$/.exec(running.backendRef ?? '')?.[1]);

      await crashed.crash(); // SIGKILL: no close(), the application keeps running without a runtime
      expect(isGroupAlive(pgid)).toBe(true);

      restarted = await startService({ dataDir });
      const after = (await call<Application>(restarted.url, 'GET', `/api/v1/applications/${app.id}`)).body;
      expect(after.state).toBe('FAILED');
      expect(after.stateReason).toBe(
        `reconciled at start-up: runtime restarted while the application was running; its process group ${pgid} was stopped`,
      );
      expect(isGroupAlive(pgid)).toBe(false);
    } finally {
      await crashed.crash();
      await restarted?.close();
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
    }
  });
});

/** `sparkplane serve` as its own process (as in production), so that a crash is a real SIGKILL. */
async function startServeProcess(dataDir: string): Promise<{ url: string; crash: () => Promise<void> }> {
  const { output, crash } = spawnNode(
    [join(REPOSITORY, 'bin', 'sparkplane.js'), 'serve', '--port', '0', '--data-dir', dataDir],
    // the URL is read from the runtime's info line "sparkplane is serving"
    { ...process.env, SPARKPLANE_ADMIN_TOKEN: ADMIN_TOKEN, SPARKPLANE_LOG_LEVEL: 'info' },
  );
  try {
    const url = await waitFor(
      () => `sparkplane serve to listen (output so far: ${output()})`,
      () => /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output())?.[1],
      60_000,
    );
    return { url, crash };
  } catch (error) {
    await crash();
    throw error;
  }
}
