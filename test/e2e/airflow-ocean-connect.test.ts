/**
 * The Spark Connect DAG of ocean-spark-airflow-provider 1.1.4's README, unchanged, run by Airflow
 * 2.10 with `airflow dags test` against the real runtime with real Spark (and by Airflow 3.1, with
 * the two Airflow 2 names Airflow 3 removed replaced): its OceanSparkConnectOperator
 * (OceanSparkConnectHook) runs a SQL query with a shuffle through the runtime's Ocean `/connect`
 * WebSocket in a session started through the sessions API. Only the connection (schema = the
 * session's application id, password = a sparkplane token) and SPARKPLANE_URL differ from a hosted
 * deployment; integrations/airflow/sparkplane-ocean-compat does the rest. The hook needs pyspark 3.5,
 * hence .venv/airflow2-connect and .venv/airflow3-ocean (their requirements files say why).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SessionView } from '../../runtime/domain/session';
import { REPOSITORY, sparkEnv, waitFor } from '../support/spark';
import { type Airflow, airflowHome, tail } from './airflow-fixture';
import { call, type Service, startService } from './service-fixture';

sparkEnv(); // fails first, naming what is missing, when the Spark environment is not loaded

const TESTS = join(REPOSITORY, 'integrations', 'airflow', 'sparkplane-ocean-compat', 'tests');
const DAGS = join(TESTS, 'connect_dags');
// the same DAG with the two Airflow 2 names Airflow 3 removed (days_ago, schedule_interval) replaced
const DAGS_AIRFLOW3 = join(TESTS, 'connect_dags_airflow3');
const WEBSERVER_LINKS = join(REPOSITORY, 'test', 'e2e', 'python', 'webserver_links.py');
// four partitions and three keys: the GROUP BY needs an exchange, so the session's metrics show a shuffle
const SQL = 'SELECT id % 3 AS k, count(*) AS n FROM range(0, 999, 1, 4) GROUP BY id % 3 ORDER BY k';

// the operator links' XComs of the Connect task (Airflow 3 stores a link's URL as `_link_<class>`, JSON)
const LINK_XCOMS = `
import json, os, sqlite3
db = sqlite3.connect(os.path.join(os.environ["AIRFLOW_HOME"], "airflow.db"))
rows = db.execute("select key, value from xcom where task_id = 'spark-connect'")
print(json.dumps({key: json.loads(value) for key, value in rows if key.startswith("_link_")}))
`;

let service: Service;
let airflow: Airflow;
let airflow3: Airflow;
let token: string;
let session: SessionView;

async function sessionView(id: string): Promise<SessionView> {
  return (await call<SessionView>(service.url, 'GET', `/api/v1/sessions/${id}`, { token })).body;
}

beforeAll(async () => {
  service = await startService();
  // a team's Airflow token: the session it starts is its own, and only its own sessions relay
  token = (
    await service.runtime.tokens.create({
      name: 'airflow',
      scopes: ['applications:create', 'applications:read', 'applications:kill'],
    })
  ).secret;
  const started = await call<SessionView>(service.url, 'POST', '/api/v1/sessions', {
    token,
    body: { clusterId: 'local', configOverrides: { driver: { memory: '512m', cores: 1 } } },
  });
  expect(started.status, started.text).toBe(201);
  session = await waitFor(
    'the session to be RUNNING',
    async () => {
      const s = await sessionView(started.body.application.id);
      if (!['NEW', 'PENDING', 'RUNNING'].includes(s.application.state)) {
        throw new Error(`session ended: ${s.application.state} ${s.application.stateReason ?? ''}`);
      }
      return s.application.state === 'RUNNING' && s;
    },
    240_000,
  );
  const env = {
    SPARKPLANE_URL: service.url,
    AIRFLOW_CONN_OCEAN_SPARK_CONNECT_DEFAULT: JSON.stringify({
      conn_type: 'ocean_spark_connect',
      host: 'local',
      login: 'act-0123abcd',
      password: token,
      schema: session.application.id,
    }),
  };
  [airflow, airflow3] = await Promise.all([
    airflowHome('airflow2-connect', DAGS, env),
    airflowHome('airflow3-ocean', DAGS_AIRFLOW3, env),
  ]);
}, 480_000);

// closing stops the session's Spark Connect server if the test did not
afterAll(async () => {
  airflow?.close();
  airflow3?.close();
  await service?.close();
}, 60_000);

/** Runs the Connect DAG with `airflow dags test` and checks what the hook printed of its query. */
async function runConnectDag(on: Airflow, version: string): Promise<string> {
  const run = await on.run(
    'airflow',
    ['dags', 'test', 'spark-connect-task', '--conf', JSON.stringify({ sql: SQL })],
    280_000,
  );
  const explain = `airflow dags test (${version}):\n${tail(run.output, 150)}`;
  expect(run.output, explain).toContain(`Executing SQL: ${SQL}`);
  // the rows of the hook's DataFrame.show(): 999 ids in three keys of 333
  for (const k of [0, 1, 2]) expect(run.output, explain).toMatch(new RegExp(`\\|\\s*${k}\\|333\\|`));
  expect(run.output, explain).toContain('SQL executed successfully');
  expect(run.code, explain).toBe(0);
  // the hook's websocket went to sparkplane (hosted would show as a connection error to it)
  expect(run.output, explain).toContain(`Starting inverse websockify ws://${new URL(service.url).host}/ocean/spark/`);
  expect(run.output, explain).not.toContain('api.spotinst.io');
  // the console link the shim pushes for the Connect operator (the provider pushes none): the session's page
  expect(run.output, explain).toContain(`View app details at ${service.url}/applications/${session.application.id}`);
  return run.output;
}

it("runs the README's Connect DAG unchanged: the hook's SQL runs in the session through /connect", async () => {
  const before = Date.parse(session.lastActivityAt!);
  const output = await runConnectDag(airflow, 'Airflow 2.10');
  expect(output, tail(output, 150)).toMatch(
    /Marking task as SUCCESS\. dag_id=spark-connect-task, task_id=spark-connect/,
  );
  // the relay touched the session's idle clock
  expect(Date.parse((await sessionView(session.application.id)).lastActivityAt!)).toBeGreaterThan(before);
}, 300_000);

// Airflow 3.1 with pyspark 3.5.9 (.venv/airflow3-ocean): the hook's ChannelBuilder(url) needs pyspark 3.5;
// the provider unchanged, imported thanks to the shim's .pth
it("runs the README's Connect DAG on Airflow 3.1 (only days_ago and schedule_interval replaced), in the same session", async () => {
  const output = await runConnectDag(airflow3, 'Airflow 3.1');
  // the state Airflow 3's task runner reported for the task instance
  expect(output, tail(output, 150)).toMatch(/Task instance state updated .*new_state=success/);
  // the console link Airflow 3's task runner resolved when the task ended, as its UI reads it (an XCom)
  const stored = await airflow3.run('python', ['-c', LINK_XCOMS], 60_000);
  expect(stored.code, tail(stored.output)).toBe(0);
  expect(JSON.parse(stored.output.trim().split('\n').pop()!), tail(stored.output)).toEqual({
    _link_ApplicationOverviewLink: `${service.url}/applications/${session.application.id}`,
  });
}, 300_000);

// after both DAG runs: the queries ran in that session, so once stopped its metrics show the shuffle
it("measures the session the queries ran in: its metrics show the GROUP BY's shuffle", async () => {
  const stopped = await call<SessionView>(service.url, 'DELETE', `/api/v1/sessions/${session.application.id}`, {
    token,
  });
  expect(stopped.status, stopped.text).toBe(200);
  const measured = await waitFor(
    'the stopped session to be measured',
    async () => {
      const s = await sessionView(session.application.id);
      return s.application.measurement?.state === 'measured' && s;
    },
    120_000,
  );
  expect(measured.application.metrics?.shuffleWriteBytes).toBeGreaterThan(0);
}, 180_000);

// after the DAG runs above: the Airflow 2.10 Connect task instance's link, as Airflow 2.10's webserver resolves it
it("resolves the Connect operator's console link in the webserver to the session's dashboard page", async () => {
  const serialized = await airflow.run('airflow', ['dags', 'reserialize'], 120_000);
  expect(serialized.code, tail(serialized.output)).toBe(0);
  const lookup = await airflow.run('python', [WEBSERVER_LINKS, 'spark-connect-task', 'spark-connect'], 120_000);
  const explain = `webserver_links.py:\n${tail(lookup.output)}`;
  expect(lookup.code, explain).toBe(0);
  const page = `${service.url}/applications/${session.application.id}`;
  const links = JSON.parse(lookup.output.trim().split('\n').pop()!) as unknown;
  expect(links, explain).toEqual({ api: { 'Application Overview': page }, ui: { 'Application Overview': page } });
}, 300_000);
