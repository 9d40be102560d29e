/** The local back-end over a stand-in spark-submit: what it hands the process, and that it forgets ended runs. */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Application } from '../../domain/application';
import type { ApplicationConfig } from '../../domain/config';
import type { BackendStatus } from '../../domain/ports';
import { isTerminal } from '../../domain/states';
import { localAppPaths } from './app-files';
import { LocalSparkBackend } from './local-spark-backend';

/** Prints its environment's SPARK_LOCAL_IP and its arguments, then exits with the code named in the script file's name. */
const FAKE_SPARK_SUBMIT = `#!/bin/sh
echo "SPARK_LOCAL_IP=$SPARK_LOCAL_IP"
echo "$@"
for last; do :; done
case "$last" in *fail.py) exit 3 ;; esac
exit 0
`;

let root: string;
let backend: LocalSparkBackend;
let ended: Map<string, BackendStatus>;

function application(id: string): Application {
  return { id, clusterId: 'local', jobId: 'j', state: 'NEW' } as Application;
}

async function untilEnded(ids: string[]): Promise<void> {
  const deadline = Date.now() + 25_000;
  while (!ids.every((id) => ended.has(id))) {
    if (Date.now() > deadline) throw new Error(`${ids.filter((id) => !ended.has(id)).length} runs did not end`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'sparkplane-local-unit-'));
  const sparkHome = join(root, 'spark');
  mkdirSync(join(sparkHome, 'bin'), { recursive: true });
  writeFileSync(join(sparkHome, 'bin', 'spark-submit'), FAKE_SPARK_SUBMIT);
  chmodSync(join(sparkHome, 'bin', 'spark-submit'), 0o755);
  for (const name of ['ok.py', 'fail.py']) writeFileSync(join(root, name), '');
  backend = new LocalSparkBackend({ dataDir: join(root, 'data'), sparkHome, maxParallelism: 1, killGraceSeconds: 1 });
  ended = new Map();
  backend.onStatus((appId, status) => {
    if (isTerminal(status.state)) ended.set(appId, status);
  });
});

afterEach(async () => {
  await backend.close();
  rmSync(root, { recursive: true, force: true });
});

describe('LocalSparkBackend', () => {
  it('runs spark-submit bound to loopback by default', async () => {
    const config: ApplicationConfig = { mainApplicationFile: join(root, 'ok.py') };
    await backend.submit(application('bound'), config);
    await untilEnded(['bound']);
    const log = readFileSync(localAppPaths(join(root, 'data'), 'bound').driverLog, 'utf8');
    expect(log).toContain('SPARK_LOCAL_IP=127.0.0.1\n');
    expect(log).toContain('--conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1');
  });

  it('forgets each run once its end is reported, and still answers status() from its state file', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `run-${i}`);
    await Promise.all(
      ids.map((id, i) =>
        backend.submit(application(id), { mainApplicationFile: join(root, i % 4 === 0 ? 'fail.py' : 'ok.py') }),
      ),
    );
    await untilEnded(ids);
    expect(backend.runningCount).toBe(0);
    expect(await backend.status(application('run-1'))).toMatchObject({ state: 'COMPLETED' });
    expect(await backend.status(application('run-0'))).toMatchObject({
      state: 'FAILED',
      reason: expect.stringMatching(/^exit code 3/),
    });
    // idempotent by app id after it was forgotten: the same run, not a second one
    expect(await backend.submit(application('run-1'), { mainApplicationFile: join(root, 'ok.py') })).toEqual({
      backendRef: expect.stringMatching(/^pgid:\d+$/),
    });
    expect(backend.runningCount).toBe(0);
  });

  it('reports what became of a run an earlier runtime started when it is handed over again', async () => {
    // the earlier runtime died after spark-submit ended, before it stored the end (or even the start)
    await backend.submit(application('orphan'), { mainApplicationFile: join(root, 'ok.py') });
    await untilEnded(['orphan']);
    const restarted = new LocalSparkBackend({ dataDir: join(root, 'data'), sparkHome: join(root, 'spark') });
    const heard: BackendStatus[] = [];
    restarted.onStatus((appId, status) => {
      if (appId === 'orphan') heard.push(status);
    });
    try {
      const { backendRef } = await restarted.submit(application('orphan'), {
        mainApplicationFile: join(root, 'ok.py'),
      });
      expect(backendRef).toMatch(/^pgid:\d+$/);
      // heard after submit() resolved, so the caller has stored the backendRef first
      expect(heard).toEqual([]);
      await expect.poll(() => heard.map((h) => h.state)).toEqual(['COMPLETED']);
      expect(restarted.runningCount).toBe(0);
    } finally {
      await restarted.close();
    }
  });
});
