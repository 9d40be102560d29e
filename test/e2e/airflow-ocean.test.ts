/**
 * An unchanged Ocean Spark DAG (ocean-spark-airflow-provider 1.1.4's OceanSparkOperator, as its
 * README writes it) run by Airflow 2.10 with `airflow dags test` against the real runtime: only
 * the connection (host = cluster id, password = a sparkplane token) and SPARKPLANE_URL differ from
 * a hosted deployment; integrations/airflow/sparkplane-ocean-compat, installed in .venv/airflow2,
 * does the rest. One task completes, one fails with the driver's error in its log, one is killed
 * from Airflow (SIGTERM to the task's process, as a task kill does) and ends KILLED in sparkplane.
 * The same DAG runs on Airflow 3.1 too (.venv/airflow3-ocean), against the same runtime.
 *
 * The `local` cluster runs on the scripted fake back-end of airflow-backend.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import type { CreatedToken } from '../../runtime/domain/tokens';
import { fakeBackendPlugin } from '../support/fake-backend';
import { REPOSITORY, waitFor } from '../support/spark';
import { makeTestCertificates } from '../support/test-ca';
import { startTlsFront } from '../support/tls-front';
import { DRIVER_ERROR, ScriptedBackend } from './airflow-backend';
import { type Airflow, airflowHome, pytest, tail } from './airflow-fixture';
import { call, type Service, startService } from './service-fixture';

const PACKAGE = join(REPOSITORY, 'integrations', 'airflow', 'sparkplane-ocean-compat');
const DAG_ID = 'ocean_spark_example';
const WEBSERVER_LINKS = join(REPOSITORY, 'test', 'e2e', 'python', 'webserver_links.py');
/** sitecustomize.py answering api.spotinst.io with the test's TLS front, as the cluster's CoreDNS rewrite would. */
const RESOLVER = join(REPOSITORY, 'test', 'e2e', 'python', 'resolve');
let service: Service;
let airflow: Airflow;
let airflow3: Airflow;
const backend = new ScriptedBackend();

beforeAll(async () => {
  service = await startService({ plugins: [fakeBackendPlugin(backend)] });
  // what a team's Airflow holds: a token that may submit, read and kill, and nothing else
  const token = await call<CreatedToken>(service.url, 'POST', '/api/v1/tokens', {
    body: { name: 'airflow', scopes: ['applications:create', 'applications:read', 'applications:kill'] },
  });
  expect(token.status, token.text).toBe(201);
  const env = {
    SPARKPLANE_URL: service.url,
    AIRFLOW_CONN_OCEAN_SPARK_DEFAULT: JSON.stringify({
      conn_type: 'ocean_spark',
      host: 'local',
      login: 'act-0123abcd',
      password: token.body.secret,
    }),
  };
  airflow = await airflowHome('airflow2', join(PACKAGE, 'tests', 'dags'), env);
  airflow3 = await airflowHome('airflow3-ocean', join(PACKAGE, 'tests', 'dags'), env);
}, 300_000);

afterAll(async () => {
  airflow?.close();
  airflow3?.close();
  await service?.close();
});

async function applicationsOf(jobId: string): Promise<Application[]> {
  const page = await call<{ items: Application[] }>(service.url, 'GET', `/api/v1/applications?jobId=${jobId}`);
  return page.body.items;
}

/**
 * `airflow dags test` of the DAG, killed from Airflow (SIGTERM to the process running the task)
 * once long-running's operator has logged its application's id and the application runs in
 * sparkplane; answers the output and that application. Applications of `before` are older runs.
 */
async function runKillingLongRunning(
  home: Airflow,
  before: Set<string>,
): Promise<{ output: string; running: Application }> {
  const run = home.start('airflow', ['dags', 'test', DAG_ID, '2026-03-01'], 240_000);
  const running = await waitFor(
    () => `long-running to run in sparkplane (airflow so far:\n${tail(run.output(), 40)})`,
    async () =>
      (await applicationsOf('long-running')).find(
        (a) =>
          !before.has(a.id) && a.state === 'RUNNING' && run.output().includes(`App submitted with app_id: ${a.id}`),
      ),
    180_000,
  );
  process.kill(run.pid, 'SIGTERM');
  return { output: (await run.done).output, running };
}

it('runs the DAG unchanged: one task completes, one fails with the driver log, one is killed to KILLED', async () => {
  const { output, running } = await runKillingLongRunning(airflow, new Set());
  const explain = `airflow dags test:\n${tail(output, 150)}`;

  // compute-pi: submitted to sparkplane through the Ocean API, polled to COMPLETED, task succeeded
  const [pi, ...morePi] = await applicationsOf('spark-pi');
  expect(morePi, explain).toEqual([]);
  expect(pi?.state, explain).toBe('COMPLETED');
  expect(pi?.configOverrides.mainApplicationFile).toBe('local:///opt/spark/examples/src/main/python/pi.py');
  expect(output, explain).toMatch(/Marking task as SUCCESS\. dag_id=ocean_spark_example, task_id=compute-pi/);
  // the console link the operator logs and pushes to XCom is sparkplane's dashboard page
  expect(output, explain).toContain(`View app details at ${service.url}/applications/${pi?.id}`);

  // broken-etl: FAILED in sparkplane, the task failed with the driver's log forwarded
  const [broken] = await applicationsOf('broken-etl');
  expect(broken?.state, explain).toBe('FAILED');
  expect(output, explain).toMatch(/Marking task as FAILED\. dag_id=ocean_spark_example, task_id=broken-etl/);
  expect(output, explain).toContain('broken-etl failed with terminal state: FAILED');
  expect(output, explain).toContain(DRIVER_ERROR);

  // long-running: on_kill sent DELETE, the application ended KILLED and the back-end was told
  const killed = await waitFor(
    'long-running to end KILLED',
    async () => (await applicationsOf('long-running')).find((a) => a.id === running.id && a.state === 'KILLED'),
    30_000,
  );
  expect(killed.state, explain).toBe('KILLED');
  expect(backend.killed, explain).toContain(running.id);
  expect(output, explain).toContain(`Task: long-running with app name: ${running.id} was requested to be cancelled.`);
  // nothing reached the hosted product's address (there is no route to it here: it would show as a retry)
  expect(output, explain).not.toContain('api.spotinst.io');
});

// after the DAG run above: its compute-pi task instance and the XCom its operator pushed
it("resolves the console link in Airflow 2.10's webserver to the application's dashboard page", async () => {
  const serialized = await airflow.run('airflow', ['dags', 'reserialize'], 120_000);
  expect(serialized.code, tail(serialized.output)).toBe(0);
  const lookup = await airflow.run('python', [WEBSERVER_LINKS, DAG_ID, 'compute-pi'], 120_000);
  const explain = `webserver_links.py:\n${tail(lookup.output)}`;
  expect(lookup.code, explain).toBe(0);
  const [pi] = await applicationsOf('spark-pi');
  const page = `${service.url}/applications/${pi?.id}`;
  const links = JSON.parse(lookup.output.trim().split('\n').pop()!) as unknown;
  // the provider's link name, answered by the shim's plugin link with what the operator pushed
  expect(links, explain).toEqual({ api: { 'Application Overview': page }, ui: { 'Application Overview': page } });
});

it("passes the shim's pytest on Airflow 2.10 and 3.1: the address per connection, the Connect websocket, hosted connections untouched, the provider's import", async () => {
  for (const home of [airflow, airflow3]) {
    const result = await pytest(home, join(PACKAGE, 'tests'));
    const explain = `pytest in ${home.home}:\n${tail(result.output)}`;
    expect({ failures: result.failures, errors: result.errors, skipped: result.skipped }, explain).toEqual({
      failures: 0,
      errors: 0,
      skipped: 0,
    });
    expect(result.tests, explain).toBe(22);
  }
});

// the platform's oceanHostname path (components/platform/ocean-hostname.ts): no address configured,
// so the provider calls https://api.spotinst.io/ocean/spark/ as it always did, and the name, its
// certificate from the cluster's CA and REQUESTS_CA_BUNDLE do the rest
it('reaches the runtime as api.spotinst.io with the CA bundle alone, the shim inactive', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocean-hostname-'));
  const certificates = makeTestCertificates(dir, ['api.spotinst.io']);
  const front = await startTlsFront(new URL(service.url), certificates);
  try {
    const before = new Set((await applicationsOf('spark-pi')).map((a) => a.id));
    const run = await airflow.run('airflow', ['tasks', 'test', DAG_ID, 'compute-pi', '2026-03-02'], 180_000, {
      SPARKPLANE_URL: '',
      REQUESTS_CA_BUNDLE: certificates.caFile,
      PYTHONPATH: [RESOLVER, process.env.PYTHONPATH].filter(Boolean).join(':'),
      SPARKPLANE_TEST_RESOLVE: `api.spotinst.io:443=127.0.0.1:${front.port}`,
      NO_PROXY: 'api.spotinst.io',
      no_proxy: 'api.spotinst.io',
    });
    const explain = `airflow tasks test:\n${tail(run.output, 80)}`;
    expect(run.code, explain).toBe(0);
    const [pi, ...more] = (await applicationsOf('spark-pi')).filter((a) => !before.has(a.id));
    expect(more, explain).toEqual([]);
    expect(pi?.state, explain).toBe('COMPLETED');
    expect(run.output, explain).toContain(`App submitted with app_id: ${pi?.id}`);
    // the shim rebased nothing: the console link is still the hosted console's
    expect(run.output, explain).toMatch(/View app details at https:\/\/console\.spotinst\.com\/ocean\/spark\//);
    expect(run.output, explain).not.toContain(service.url);
  } finally {
    await front.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// Airflow 3.1: the provider unchanged, imported thanks to the name the shim's .pth gives back
// (sparkplane_ocean_compat/airflow3.py), against this file's runtime
it('runs the same DAG unchanged on Airflow 3.1: complete, fail with the driver log, kill to KILLED', async () => {
  const jobs = ['spark-pi', 'broken-etl', 'long-running'];
  const before = new Set((await Promise.all(jobs.map(applicationsOf))).flat().map((a) => a.id));
  const { output, running } = await runKillingLongRunning(airflow3, before);
  const explain = `airflow dags test (Airflow 3):\n${tail(output, 150)}`;
  const [pi, broken, long] = await Promise.all(
    jobs.map(async (job) => (await applicationsOf(job)).filter((a) => !before.has(a.id))),
  );
  expect(
    pi?.map((a) => a.state),
    explain,
  ).toEqual(['COMPLETED']);
  expect(output, explain).toContain(`View app details at ${service.url}/applications/${pi?.[0]?.id}`);
  expect(
    broken?.map((a) => a.state),
    explain,
  ).toEqual(['FAILED']);
  expect(output, explain).toContain('broken-etl failed with terminal state: FAILED');
  expect(output, explain).toContain(DRIVER_ERROR);
  expect(
    long?.map((a) => a.id),
    explain,
  ).toEqual([running.id]);
  await waitFor(
    'long-running to end KILLED',
    async () => (await applicationsOf('long-running')).find((a) => a.id === running.id && a.state === 'KILLED'),
    30_000,
  );
  expect(backend.killed, explain).toContain(running.id);
  expect(output, explain).toContain(`Task: long-running with app name: ${running.id} was requested to be cancelled.`);
  expect(output, explain).not.toContain('api.spotinst.io');
  // the task runner resolved the console link with the shim's link (the provider's raises there)
  expect(output, explain).not.toContain('Failed to push an xcom for task operator extra link');

  // what Airflow 3 recorded of the run's task instances
  const runId = /run_id=(manual__[^,\s'"]+)/.exec(output)?.[1] ?? '';
  const states = await airflow3.run('airflow', ['tasks', 'states-for-dag-run', DAG_ID, runId, '-o', 'json'], 120_000);
  const recorded = JSON.parse(states.output.slice(states.output.indexOf('[{'))) as { task_id: string; state: string }[];
  expect(Object.fromEntries(recorded.map((t) => [t.task_id, t.state])), tail(states.output)).toEqual({
    'compute-pi': 'success',
    'broken-etl': 'failed',
    'long-running': 'failed',
  });
});
