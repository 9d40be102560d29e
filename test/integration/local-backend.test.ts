/**
 * The local back-end on real Spark: completes, fails with the driver's reason, is killed mid-run,
 * runs a jar compiled here, and a new back-end on the same data directory reconciles after a crash.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSparkBackend, localAppPaths, type LocalAppRecord } from '../../runtime/adapters/local';
import { isGroupAlive } from '../../runtime/adapters/local/process-group';
import type { ApplicationConfig } from '../../runtime/domain/config';
import type { BackendStatus } from '../../runtime/domain/ports';
import { SubmitRequest } from '../../runtime/domain/resources';
import { isTerminal } from '../../runtime/domain/states';
import {
  compileJar,
  REPOSITORY,
  SLEEPER_SCRIPT,
  sparkEnv,
  startRuntimeProcess,
  testApplication,
  waitFor,
  writeScript,
} from '../support/spark';

const env = sparkEnv();
const dataDir = mkdtempSync(join(tmpdir(), 'sparkplane-local-backend-'));
const scriptsDir = join(dataDir, 'scripts');
const events: [string, BackendStatus][] = [];
let backend: LocalSparkBackend;

function newBackend(): LocalSparkBackend {
  return new LocalSparkBackend({ dataDir, ...env, maxParallelism: 2, killGraceSeconds: 5 });
}

function finalStatus(appId: string): Promise<BackendStatus> {
  return waitFor(`${appId} to end`, () => events.find(([id, s]) => id === appId && isTerminal(s.state))?.[1], 240_000);
}

function record(appId: string): LocalAppRecord {
  return JSON.parse(readFileSync(localAppPaths(dataDir, appId).stateFile, 'utf8')) as LocalAppRecord;
}

async function allLines(iterable: AsyncIterable<string>): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of iterable) lines.push(line);
  return lines;
}

function exampleConfig(file: string): ApplicationConfig {
  const document = parse(readFileSync(join(REPOSITORY, 'examples', file), 'utf8')) as Record<string, unknown>;
  const { clusterId: _clusterId, ...request } = document;
  return SubmitRequest.parse(request).configOverrides ?? {};
}

beforeAll(() => {
  backend = newBackend();
  backend.onStatus((appId, status) => events.push([appId, status]));
});

afterAll(async () => {
  await backend.close();
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
});

describe('LocalSparkBackend on real Spark', () => {
  const pi = testApplication('pi', { ...exampleConfig('spark-pi.yaml'), arguments: ['2'] });
  const failing = testApplication('failing', {
    type: 'Python',
    mainApplicationFile: writeScript(
      scriptsDir,
      'failing.py',
      [
        'from pyspark.sql import SparkSession',
        'spark = SparkSession.builder.getOrCreate()',
        'spark.range(10).count()',
        'raise ValueError("no input rows for 2026-01-01")',
      ].join('\n'),
    ),
    executor: { instances: 1, cores: 1 },
  });
  const sleeper = testApplication('sleeper', {
    type: 'Python',
    mainApplicationFile: writeScript(scriptsDir, 'sleeper.py', SLEEPER_SCRIPT),
    executor: { instances: 1, cores: 1 },
  });

  it('runs the Spark Pi example to COMPLETED, with its driver log and event log', async () => {
    const { backendRef } = await backend.submit(pi, pi.config);
    expect(backendRef).toMatch(/^pgid:\d+$/);
    // idempotent by app id: the same run, not a second one
    expect(await backend.submit(pi, pi.config)).toEqual({ backendRef });

    const status = await finalStatus('pi');
    expect(status.state).toBe('COMPLETED');
    expect(events.filter(([id]) => id === 'pi').map(([, s]) => s.state)).toEqual(['RUNNING', 'COMPLETED']);
    expect(await backend.status(pi)).toMatchObject({ state: 'COMPLETED' });

    const log = await allLines(backend.driverLog(pi, { follow: false }));
    expect(log.some((line) => /^Pi is roughly 3\.\d+$/.test(line))).toBe(true);
    // bound to loopback (the default bindAddress), not to the address of the host's first interface
    expect(log.filter((line) => line.includes('instead (on interface'))).toEqual([]);
    expect(log.some((line) => line.includes('BlockManagerId(driver, 127.0.0.1,'))).toBe(true);

    const eventLog = backend.eventLogPath(pi);
    expect(eventLog).toBeDefined();
    expect(eventLog!.startsWith(join(dataDir, 'eventlogs', 'pi'))).toBe(true);
    // Spark 4 writes a rolling eventlog_v2_* directory of events_* files by default
    const text = statSync(eventLog!).isDirectory()
      ? readdirSync(eventLog!)
          .filter((f) => f.startsWith('events_'))
          .map((f) => readFileSync(join(eventLog!, f), 'utf8'))
          .join('')
      : readFileSync(eventLog!, 'utf8');
    expect(text).toContain('"Event":"SparkListenerApplicationEnd"');
    expect(text).toContain('"spark.eventLog.logStageExecutorMetrics":"true"');

    const { startedAt, endedAt, master } = record('pi');
    expect(master).toBe('local[2]');
    console.warn(`Pi (2 partitions, local[2]) took ${(Date.parse(endedAt!) - Date.parse(startedAt)) / 1000} s`);
  });

  it('reports a failing Python application FAILED with the exit code and its exception', async () => {
    await backend.submit(failing, failing.config);
    const status = await finalStatus('failing');
    expect(status).toMatchObject({
      state: 'FAILED',
      reason: 'exit code 1: ValueError: no input rows for 2026-01-01',
    });
  });

  it('kills an application mid-run: KILLED, whole process group gone, log follow ends', async () => {
    await backend.submit(sleeper, sleeper.config);
    const follower = backend.driverLog(sleeper, { follow: true })[Symbol.asyncIterator]();
    await waitFor('the sleeper to be ready', async () => {
      const next = await follower.next();
      return next.done || /^ready 10$/.test(next.value) ? true : undefined;
    });
    const { pgid } = record('sleeper');
    expect(isGroupAlive(pgid)).toBe(true);

    await backend.kill(sleeper);
    expect(isGroupAlive(pgid)).toBe(false);
    expect(await backend.status(sleeper)).toMatchObject({ state: 'KILLED', reason: 'killed on request' });
    expect(events.filter(([id]) => id === 'sleeper').map(([, s]) => s.state)).toEqual(['RUNNING', 'KILLED']);

    // the follower drains what is left and stops, as the application has ended
    for (;;) if ((await follower.next()).done) break;

    await backend.kill(sleeper); // killing an ended application does nothing
    expect(await backend.status(sleeper)).toMatchObject({ state: 'KILLED' });
  });

  it('runs a Java application compiled here against the Spark jars', async () => {
    const jar = compileJar(
      env,
      join(REPOSITORY, 'examples', 'java', 'RangeSum.java'),
      join(dataDir, 'jars'),
      'range-sum',
    );
    const app = testApplication('java-range-sum', {
      type: 'Java',
      mainApplicationFile: `local://${jar}`,
      mainClass: 'RangeSum',
      arguments: ['100'],
      executor: { instances: 1, cores: 1 },
    });
    await backend.submit(app, app.config);
    expect(await finalStatus('java-range-sum')).toMatchObject({ state: 'COMPLETED' });
    expect(await allLines(backend.driverLog(app, { follow: false }))).toContain('sum=5050');
  });

  it('refuses a main file that does not exist, naming the field', async () => {
    const app = testApplication('missing-file', { mainApplicationFile: 'examples://no-such-job.py' });
    await expect(backend.submit(app, app.config)).rejects.toThrow(
      `mainApplicationFile: resolves to ${join(REPOSITORY, 'examples', 'no-such-job.py')}, which does not exist`,
    );
  });

  describe('after a restart of the runtime', () => {
    it('a new back-end on the same data directory reports the applications that ended', async () => {
      const restarted = newBackend();
      expect(await restarted.status(pi)).toMatchObject({ state: 'COMPLETED' });
      expect(await restarted.status(failing)).toMatchObject({
        state: 'FAILED',
        reason: 'exit code 1: ValueError: no input rows for 2026-01-01',
      });
      expect(await restarted.status(sleeper)).toMatchObject({ state: 'KILLED' });
      expect(restarted.eventLogPath(pi)).toBe(backend.eventLogPath(pi));
      const unknown = await restarted.status(testApplication('never-submitted', {}));
      expect(unknown.state).toBe('FAILED');
      expect(unknown.reason).toContain('the local back-end has no record of this application');
      await restarted.close();
    });

    it('after a crash: an app that ended meanwhile gets its exit state, a still-running orphan is stopped', async () => {
      const quick = testApplication('quick', {
        type: 'Python',
        mainApplicationFile: writeScript(
          scriptsDir,
          'quick.py',
          'import os\nprint("quick done; runtime token visible:", "SPARKPLANE_ADMIN_TOKEN" in os.environ)\n',
        ),
      });
      const orphan = testApplication('orphan', {
        type: 'Python',
        mainApplicationFile: writeScript(
          scriptsDir,
          'orphan.py',
          'import time\nprint("sleeping", flush=True)\ntime.sleep(600)\n',
        ),
      });
      const runtime = await startRuntimeProcess(dataDir, [
        { id: quick.id, config: quick.config },
        { id: orphan.id, config: orphan.config },
      ]);
      await runtime.crash();
      // the quick app ends while no runtime watches it; its wrapper records the exit code
      await waitFor('quick to exit', () => existsSync(localAppPaths(dataDir, 'quick').exitCodeFile));
      const orphanLog = localAppPaths(dataDir, 'orphan').driverLog;
      await waitFor(
        'the orphan to run',
        () => existsSync(orphanLog) && readFileSync(orphanLog, 'utf8').includes('sleeping'),
      );
      const { pgid } = record('orphan');
      expect(isGroupAlive(pgid)).toBe(true);

      const restarted = newBackend();
      expect(await restarted.status(quick)).toMatchObject({ state: 'COMPLETED' });
      expect(await allLines(restarted.driverLog(quick, { follow: true }))).toContain(
        'quick done; runtime token visible: False',
      );
      const status = await restarted.status(orphan);
      expect(status.state).toBe('FAILED');
      expect(status.reason).toBe(
        `runtime restarted while the application was running; its process group ${pgid} was stopped`,
      );
      expect(isGroupAlive(pgid)).toBe(false);
      // the outcome is recorded: a third runtime reads the same
      expect(await newBackend().status(orphan)).toEqual(status);
      await restarted.close();
    });
  });
});
