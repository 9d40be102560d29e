import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Application } from '../../domain/application';
import { type BackendContext, silentLogger } from '../../domain/ports';
import { localAppPaths } from './app-files';
import { LocalClusterSettings, localBackend } from './plugin';

let root: string;
let context: BackendContext;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'sparkplane-local-plugin-'));
  context = { dataDir: join(root, 'data'), clock: { now: () => new Date() }, logger: silentLogger };
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('LocalClusterSettings', () => {
  it('fills in the defaults, bound to loopback', () => {
    expect(LocalClusterSettings.parse({})).toEqual({
      maxExecutorMemoryMiB: 2048,
      localCluster: true,
      bindAddress: '127.0.0.1',
      killGraceSeconds: 10,
    });
  });

  it('refuses an address that is not an IP, and settings it does not know', () => {
    const bad = LocalClusterSettings.safeParse({ bindAddress: 'localhost' });
    expect(bad.error?.issues[0]).toMatchObject({
      path: ['bindAddress'],
      message: 'is not an IP address such as "127.0.0.1"',
    });
    expect(LocalClusterSettings.safeParse({ sparkHome: '/opt/spark' }).success).toBe(false);
  });
});

describe('localBackend', () => {
  it('looks for Spark only when a cluster is created, and builds it with the cluster settings', async () => {
    const sparkHome = join(root, 'spark');
    mkdirSync(join(sparkHome, 'bin'), { recursive: true });
    writeFileSync(join(sparkHome, 'bin', 'spark-submit'), '#!/bin/sh\necho "SPARK_LOCAL_IP=$SPARK_LOCAL_IP"\n');
    chmodSync(join(sparkHome, 'bin', 'spark-submit'), 0o755);
    let lookups = 0;
    const plugin = localBackend({
      spark: () => {
        lookups++;
        return { sparkHome };
      },
    });
    expect(lookups).toBe(0);

    const settings = LocalClusterSettings.parse({ bindAddress: '10.1.2.3' });
    const backend = await plugin.create({ id: 'laptop', settings }, context);
    expect(lookups).toBe(1);
    const app = { id: 'app-1', clusterId: 'laptop', jobId: 'j', state: 'NEW' } as Application;
    writeFileSync(join(root, 'app.py'), '');
    await backend.submit(app, { mainApplicationFile: join(root, 'app.py') });
    const log = localAppPaths(context.dataDir, 'app-1').driverLog;
    await expect.poll(() => existsSync(log) && readFileSync(log, 'utf8')).toBe('SPARK_LOCAL_IP=10.1.2.3\n');
    await backend.close();
  });

  it('takes the capacity of the settings, else the machine, and caps one application to it', async () => {
    const sparkHome = join(root, 'spark');
    mkdirSync(join(sparkHome, 'bin'), { recursive: true });
    writeFileSync(join(sparkHome, 'bin', 'spark-submit'), '');
    const plugin = localBackend({ spark: () => ({ sparkHome }) });
    const declared = await plugin.create(
      { id: 'l', settings: LocalClusterSettings.parse({ capacity: { cores: 1, memory: '6g' } }) },
      context,
    );
    expect(declared.capacity()).toEqual({ cores: 1, memoryMiB: 6144 });
    // nothing asked would take every core: at most the capacity's one
    expect(declared.demandOf({}).driver.cores).toBe(1);
    const machine = (await plugin.create({ id: 'm', settings: LocalClusterSettings.parse({}) }, context)).capacity();
    expect(machine.cores).toBe(availableParallelism());
    expect(machine.memoryMiB).toBe(Math.floor(totalmem() / 1024 / 1024));
  });

  it('names a bad capacity or quota in the settings', () => {
    const bad = LocalClusterSettings.safeParse({
      capacity: { cores: 2, memory: '2 gigs' },
      quotas: { team: { cores: 0 } },
    });
    expect(bad.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['capacity.memory', 'is not a Kubernetes quantity such as "8g" or "8192m"'],
      ['quotas.team.cores', 'Too small: expected number to be >0'],
    ]);
  });

  it('names what is missing when the Spark install cannot be found', () => {
    const plugin = localBackend({
      spark: () => {
        throw new Error('Spark not found: SPARK_HOME is not set');
      },
    });
    expect(() => plugin.create({ id: 'local', settings: LocalClusterSettings.parse({}) }, context)).toThrow(
      'Spark not found',
    );
  });
});
