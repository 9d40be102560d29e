/**
 * The fault suite, runs that go wrong: a driver killed from outside (as by the OOM killer), an
 * event log cut before the run ended (also while the runtime was down), and a job whose history
 * holds runs of every kind. The service is a child process with a fake spark-submit that plays
 * each case from its last argument and writes the event log Spark would (built from the same
 * fixtures the parser's tests use). Each case checks what the crash and disk cases check: the
 * process alive, every acknowledged submission present once, none left in flight, no bare 5xx;
 * and what the runtime says about the run (its state, reason and measurement).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appEnd,
  appStart,
  executorAdded,
  jobEnd,
  jobStart,
  stageCompleted,
  stageSubmitted,
  taskEnd,
} from '../../runtime/metrics/event-log-fixtures';
import { fakeSparkHome, ServiceProcess } from '../support/service-process';
import { expectNoServerErrors, report, settled } from './fault-checks';

interface RunView {
  id: string;
  state: string;
  stateReason?: string;
  measurement?: { state: string; reason?: string };
  metrics?: { durationMs?: number; cost?: { total?: number } };
}

/** A small run's event log: one executor, one job of one stage with four tasks, 8 s of wall time. */
function completeLog(): string {
  const start = 1_700_000_000_000;
  const tasks = [0, 1, 2, 3].map((taskId) =>
    taskEnd({ taskId, launchMs: start + 1_000, finishMs: start + 6_000, runTimeMs: 5_000, inputBytes: 1 << 20 }),
  );
  return [
    appStart(start, 'local-fault'),
    executorAdded('driver', 2, start + 500),
    jobStart(0, start + 1_000, [0]),
    stageSubmitted(0, start + 1_000, 4),
    ...tasks,
    stageCompleted(0, 0, undefined, start + 6_500),
    jobEnd(0, start + 6_500),
    appEnd(start + 8_000),
  ].join('\n');
}

/**
 * The fake spark-submit: the event log directory from its --conf, the case from its last argument.
 *   complete   a whole log, exit 0          failed  a whole log, exit 1 with a driver error
 *   truncated  a log cut mid-line, exit 0   nolog   no log at all, exit 0
 *   held       a cut log, then waits (its pid in .driver-pid) until killed from outside
 *   slow       a cut log, exit 0 after 4 s (long enough to kill the runtime meanwhile)
 */
function fakeDriver(logs: string): string {
  return `dir=; mode=
for a in "$@"; do case "$a" in spark.eventLog.dir=*) dir=\${a#spark.eventLog.dir=};; esac; mode=$a; done
case "$mode" in
  complete) cp "${logs}/complete.log" "$dir/local-fault"; exit 0;;
  failed) cp "${logs}/complete.log" "$dir/local-fault"; echo 'Exception in thread "main" java.lang.IllegalStateException: the fake driver failed' >&2; exit 1;;
  truncated) cp "${logs}/truncated.log" "$dir/local-fault.inprogress"; exit 0;;
  nolog) exit 0;;
  held) cp "${logs}/truncated.log" "$dir/local-fault.inprogress"; echo $$ > "$dir/.driver-pid"; exec sleep 600;;
  slow) cp "${logs}/truncated.log" "$dir/local-fault.inprogress"; sleep 4; exit 0;;
esac
echo "unknown fake case: $mode" >&2; exit 2`;
}

let dir: string;
let service: ServiceProcess;
let application: Record<string, unknown>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sparkplane-run-faults-'));
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const complete = completeLog();
  writeFileSync(join(logs, 'complete.log'), `${complete}\n`);
  // cut in the middle of a task's line: no job end, no application end, a partial last line
  writeFileSync(join(logs, 'truncated.log'), complete.slice(0, complete.indexOf('SparkListenerTaskEnd') + 200));
  const fake = fakeSparkHome(dir, fakeDriver(logs));
  application = fake.application;
  // room for every case at once (the machine's own capacity would queue them)
  const clustersFile = join(dir, 'clusters.yaml');
  writeFileSync(clustersFile, '- id: local\n  backend: local\n  settings: { capacity: { cores: 64, memory: 256g } }\n');
  service = await ServiceProcess.start({
    dataDir: join(dir, 'data'),
    sparkHome: fake.sparkHome,
    env: { SPARKPLANE_CLUSTERS_FILE: clustersFile },
  });
});

afterAll(async () => {
  await service?.kill9();
  rmSync(dir, { recursive: true, force: true });
});

async function submit(appId: string, jobId: string, mode: string): Promise<void> {
  const { status, body } = await service.api('/api/v1/applications', {
    method: 'POST',
    body: { clusterId: 'local', jobId, appId, configOverrides: { ...application, arguments: [mode] } },
  });
  expect(status, JSON.stringify(body)).toBe(201);
}

async function run(appId: string): Promise<RunView> {
  const { status, body } = await service.api(`/api/v1/applications/${appId}`);
  expect(status).toBe(200);
  return body as RunView;
}

/** Polls the application until `done` holds (a run's state and its measurement are settled apart). */
async function until(appId: string, done: (view: RunView) => boolean, limitMs = 60_000): Promise<RunView> {
  const started = Date.now();
  for (;;) {
    const view = await run(appId);
    if (done(view)) return view;
    if (Date.now() - started > limitMs) throw new Error(`${appId} did not settle: ${JSON.stringify(view)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const measured = (view: RunView) => view.measurement !== undefined && view.measurement.state !== 'pending';

describe('runs that go wrong', () => {
  it('a driver killed from outside ends FAILED with exit 137, its cost estimated from the wall time', async () => {
    const ids = ['killed-driver-1', 'killed-driver-2'];
    for (const id of ids) await submit(id, 'killed-driver', 'held');
    const started = performance.now();
    for (const id of ids) {
      const pidFile = join(dir, 'data', 'eventlogs', id, '.driver-pid');
      await until(id, (view) => view.state === 'RUNNING' && existsSync(pidFile));
      // a moment of wall time the estimate must count
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
    }
    for (const id of ids) {
      const view = await until(id, (each) => each.state === 'FAILED' && measured(each));
      expect(view.stateReason).toMatch(/137/);
      expect(view.measurement).toMatchObject({ state: 'estimated' });
      expect(view.metrics?.durationMs).toBeGreaterThanOrEqual(1_500);
    }
    report('driver-killed', await settled(service, ids), performance.now() - started);
    expect(service.alive).toBe(true);
    expectNoServerErrors(service);
  });

  it('a log cut before the run ended is estimated and flagged, and can be measured again', async () => {
    const started = performance.now();
    await submit('cut-log', 'cut-log', 'truncated');
    const view = await until('cut-log', (each) => each.state === 'COMPLETED' && measured(each));
    expect(view.measurement).toMatchObject({ state: 'estimated' });
    expect(view.measurement?.reason).toMatch(/log/);
    // an operator restores the whole log and measures again
    const logDir = join(dir, 'data', 'eventlogs', 'cut-log');
    rmSync(join(logDir, 'local-fault.inprogress'));
    writeFileSync(join(logDir, 'local-fault'), readFileSync(join(dir, 'logs', 'complete.log')));
    const again = await service.api('/api/v1/applications/cut-log/measure', { method: 'POST', body: {} });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ measurement: { state: 'measured' }, metrics: { durationMs: 8_000 } });
    report('log-truncated', await settled(service, ['cut-log']), performance.now() - started);
    expectNoServerErrors(service);
  });

  it('a log cut while the runtime was down is estimated after the restart, not left pending or zero', async () => {
    const ids = ['cut-while-down-1', 'cut-while-down-2', 'cut-while-down-3'];
    for (const id of ids) await submit(id, 'cut-while-down', 'slow');
    for (const id of ids) await until(id, (view) => view.state === 'RUNNING');
    await service.kill9();
    // the drivers end while no runtime watches: only their wrappers record the exit codes
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const started = performance.now();
    await service.restart();
    const recovered = await service.until('/readyz', (status) => status === 200);
    for (const id of ids) {
      const view = await until(id, (each) => each.state === 'COMPLETED' && measured(each));
      expect(view.measurement).toMatchObject({ state: 'estimated' });
      expect(view.metrics?.durationMs).toBeGreaterThan(0);
    }
    report('log-truncated-while-down', await settled(service, ids), performance.now() - started + recovered);
    expectNoServerErrors(service);
  });

  it('a job whose history holds runs of every kind still takes submissions and answers its recommendation', async () => {
    const job = 'every-kind';
    const history = ['complete', 'failed', 'truncated', 'nolog', 'complete', 'held', 'held'];
    const ids = history.map((mode, i) => `${job}-${i}-${mode}`);
    for (const [i, id] of ids.entries()) await submit(id, job, history[i]!);
    // one held run killed through the API, the other from outside (exit 137)
    const [viaApi, fromOutside] = [ids[5]!, ids[6]!];
    await until(viaApi, (view) => view.state === 'RUNNING');
    expect((await service.api(`/api/v1/applications/${viaApi}`, { method: 'DELETE' })).status).toBe(200);
    const pidFile = join(dir, 'data', 'eventlogs', fromOutside, '.driver-pid');
    await until(fromOutside, (view) => view.state === 'RUNNING' && existsSync(pidFile));
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
    const started = performance.now();
    await settled(service, ids);
    const states = (await Promise.all(ids.map(run))).map((view) => view.state);
    expect(states).toEqual(['COMPLETED', 'FAILED', 'COMPLETED', 'COMPLETED', 'COMPLETED', 'KILLED', 'FAILED']);

    for (const path of ['recommendation', 'statistics', 'executions']) {
      const answer = await service.api(`/api/v1/jobs/${job}/${path}`);
      expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBe(200);
    }
    // and the next runs of that job are taken, tuned from the runs it can use
    const next = Array.from({ length: 5 }, (_, i) => `${job}-next-${i}`);
    for (const id of next) await submit(id, job, 'complete');
    report('job-history-every-kind', await settled(service, [...ids, ...next]), performance.now() - started);
    expect(service.alive).toBe(true);
    expectNoServerErrors(service);
  });
});
