/**
 * The one Airflow run on real Spark: the native provider's deferrable `compute-pi` task
 * (Airflow 3.1, `airflow tasks test`) against the runtime with its shipped local back-end, so
 * that a real spark-submit runs SparkPi to COMPLETED and is measured from its event log. The
 * other Airflow tests run on the scripted fake back-end (airflow-native, airflow-ocean).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import { REPOSITORY, sparkEnv } from '../support/spark';
import { type Airflow, airflowHome, tail } from './airflow-fixture';
import { call, type Service, startService, waitForEnd } from './service-fixture';

sparkEnv(); // fails first, naming what is missing, when the Spark environment is not loaded

const DAGS = join(REPOSITORY, 'integrations', 'airflow', 'airflow-provider-sparkplane', 'tests', 'dags');

let service: Service;
let airflow: Airflow;

beforeAll(async () => {
  service = await startService();
  airflow = await airflowHome('airflow3', DAGS, {
    AIRFLOW_CONN_SPARKPLANE_DEFAULT: JSON.stringify({
      conn_type: 'sparkplane',
      host: service.url,
      password: service.adminToken,
      schema: 'local',
    }),
  });
}, 240_000);

afterAll(async () => {
  airflow?.close();
  await service?.close();
});

it('a deferred SparkplaneSubmitOperator runs SparkPi on real Spark to COMPLETED, measured', async () => {
  const run = await airflow.run(
    'airflow',
    ['tasks', 'test', 'sparkplane_example', 'compute-pi', '2026-04-01'],
    280_000,
  );
  const explain = `airflow tasks test:\n${tail(run.output, 150)}`;
  const page = await call<{ items: Application[] }>(service.url, 'GET', '/api/v1/applications?jobId=spark-pi');
  expect(page.body.items, explain).toHaveLength(1);
  const app = await waitForEnd(service.url, page.body.items[0]!.id);
  expect(app.state, explain).toBe('COMPLETED');
  expect(app.metrics?.durationMs, explain).toBeGreaterThan(0);
  expect(run.output, explain).toContain('Pausing task as DEFERRED');
  expect(run.output, explain).toContain(`sparkplane application ${app.id} ended COMPLETED`);
  expect(run.code, explain).toBe(0);
});
