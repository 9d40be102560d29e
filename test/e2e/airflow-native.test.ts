/**
 * The native provider (integrations/airflow/airflow-provider-sparkplane) in Airflow 3.1 and 2.10,
 * each from its pinned venv, against the real runtime: `airflow dags test` of its example DAG (a
 * deferrable submission completes, a sensor waits on it and XCom holds the application's id and
 * dashboard link; a deferrable submission fails with the driver log in the task log; a submission
 * is killed by its execution_timeout and ends KILLED in sparkplane), then the same try run again
 * with `airflow tasks test`, which gets the application the try made instead of a second run;
 * and the provider's pytest (tests/live resumes a deferred task whose wait timed out: its
 * application is killed).
 *
 * The `local` cluster runs on the scripted fake back-end of airflow-backend.ts.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import type { CreatedToken } from '../../runtime/domain/tokens';
import { fakeBackendPlugin } from '../support/fake-backend';
import { REPOSITORY, waitFor } from '../support/spark';
import { DRIVER_ERROR, FAILURE_REASON, ScriptedBackend } from './airflow-backend';
import { type Airflow, type AirflowVenv, airflowHome, pytest, tail } from './airflow-fixture';
import { call, type Service, startService } from './service-fixture';

const PACKAGE = join(REPOSITORY, 'integrations', 'airflow', 'airflow-provider-sparkplane');
const DAG_ID = 'sparkplane_example';
const WEBSERVER_LINKS = join(REPOSITORY, 'test', 'e2e', 'python', 'webserver_links.py');

/** The key the operator must send for a task try (sparkplane_provider/application.py). */
function idempotencyKey(taskId: string, runId: string, tryNumber: number): string {
  const identity = [DAG_ID, taskId, runId, '-1', String(tryNumber)].join('\x1f');
  return `airflow-${createHash('sha256').update(identity).digest('hex')}`;
}

describe.each<[AirflowVenv, string]>([
  ['airflow3', '2026-03-01'],
  ['airflow2', '2026-03-02'],
])('in %s', (venv, logicalDate) => {
  let service: Service;
  let airflow: Airflow;
  const backend = new ScriptedBackend();

  beforeAll(async () => {
    service = await startService({ plugins: [fakeBackendPlugin(backend)] });
    const token = await call<CreatedToken>(service.url, 'POST', '/api/v1/tokens', {
      body: { name: 'airflow', scopes: ['applications:create', 'applications:read', 'applications:kill'] },
    });
    expect(token.status, token.text).toBe(201);
    airflow = await airflowHome(venv, join(PACKAGE, 'tests', 'dags'), {
      AIRFLOW_CONN_SPARKPLANE_DEFAULT: JSON.stringify({
        conn_type: 'sparkplane',
        host: service.url,
        password: token.body.secret,
        schema: 'local',
      }),
    });
  }, 240_000);

  afterAll(async () => {
    airflow?.close();
    await service?.close();
  });

  const applicationsOf = async (jobId: string) =>
    (await call<{ items: Application[] }>(service.url, 'GET', `/api/v1/applications?jobId=${jobId}`)).body.items;

  it('dags test: a deferred run completes with its XCom and link, one fails with the driver log, one is killed on timeout', async () => {
    const { output } = await airflow.run('airflow', ['dags', 'test', DAG_ID, logicalDate], 240_000);
    const explain = `airflow dags test:\n${tail(output, 150)}`;

    const [pi, ...morePi] = await applicationsOf('spark-pi');
    expect(morePi, explain).toEqual([]);
    expect(pi?.state, explain).toBe('COMPLETED');
    expect(pi?.clusterId).toBe('local'); // the connection's default cluster
    expect(pi?.configOverrides.arguments).toEqual(['10']);
    // the key of the try: dag, task, run, map index, try number (Airflow 3 names a manual run by
    // the time it was made, Airflow 2 by its logical date)
    const runId = /run_id=(manual__[^,\s'"]+)/.exec(output)?.[1] ?? '';
    expect(runId, explain).toMatch(/^manual__2026-/);
    expect(pi?.idempotencyKey, explain).toBe(idempotencyKey('compute-pi', runId, 1));
    expect(output, explain).toMatch(/defer/i);
    const dashboard = `${service.url}/applications/${pi?.id}`;
    const link = venv === 'airflow3' ? dashboard : 'None';
    expect(output, explain).toContain(
      `XCOM application_id=${pi?.id} dashboard_url=${dashboard} return_value=${pi?.id} _link_SparkplaneApplicationLink=${link}`,
    );
    expect(output, explain).toContain(`sparkplane application ${pi?.id} ended COMPLETED`);

    const [broken] = await applicationsOf('broken-etl');
    expect(broken?.state, explain).toBe('FAILED');
    // the task's error (Airflow 3 prints it in a box that wraps lines: read without the box)
    expect(output.replace(/[│\s]+/g, ' '), explain).toContain(
      `sparkplane application ${broken?.id} ended FAILED: ${FAILURE_REASON}`,
    );
    expect(output, explain).toContain(`Driver log of sparkplane application ${broken?.id}:`);
    expect(output, explain).toContain(DRIVER_ERROR);

    const killed = await waitFor(
      'long-running to end KILLED',
      async () => (await applicationsOf('long-running')).find((a) => a.state === 'KILLED'),
      30_000,
    );
    expect(backend.killed, explain).toEqual([killed.id]);
    expect(output, explain).toContain(`Killed sparkplane application ${killed.id}: KILLED`);
  });

  // Airflow 2.10's webserver (Airflow 3's UI asks its API server, which reads the same XCom)
  if (venv === 'airflow2') {
    it("resolves the operator link in Airflow 2.10's webserver to the application's dashboard page", async () => {
      const serialized = await airflow.run('airflow', ['dags', 'reserialize'], 120_000);
      expect(serialized.code, tail(serialized.output)).toBe(0);
      const lookup = await airflow.run('python', [WEBSERVER_LINKS, DAG_ID, 'compute-pi'], 120_000);
      const explain = `webserver_links.py:\n${tail(lookup.output)}`;
      expect(lookup.code, explain).toBe(0);
      const [pi] = await applicationsOf('spark-pi');
      const page = `${service.url}/applications/${pi?.id}`;
      const links = JSON.parse(lookup.output.trim().split('\n').pop()!) as unknown;
      expect(links, explain).toEqual({
        api: { 'sparkplane application': page },
        ui: { 'sparkplane application': page },
      });
    });
  }

  it('tasks test of the same try gets the application that try made, not a second run', async () => {
    const [before, ...others] = await applicationsOf('spark-pi');
    expect(others).toEqual([]);
    const { output } = await airflow.run('airflow', ['tasks', 'test', DAG_ID, 'compute-pi', logicalDate], 180_000);
    const explain = `airflow tasks test:\n${tail(output, 120)}`;
    expect(output, explain).toContain(`This try had already submitted sparkplane application ${before?.id}`);
    expect((await applicationsOf('spark-pi')).map((a) => a.id)).toEqual([before?.id]);
    expect(backend.submitted.filter((s) => s.app.jobId === 'spark-pi')).toHaveLength(1);
  });

  it("passes the provider's pytest: the idempotency key, states, base URL, problem messages, the connection test, and a timed-out deferral killing its run", async () => {
    // tests/live talks to this runtime through the connection above
    const result = await pytest(airflow, join(PACKAGE, 'tests'));
    const explain = `pytest:\n${tail(result.output)}`;
    expect({ failures: result.failures, errors: result.errors, skipped: result.skipped }, explain).toEqual({
      failures: 0,
      errors: 0,
      skipped: 0,
    });
    expect(result.tests, explain).toBe(19);
  });
});
