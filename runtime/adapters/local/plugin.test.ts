import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
    const backend = plugin.create({ id: 'laptop', settings }, context);
    expect(lookups).toBe(1);
    const app = { id: 'app-1', clusterId: 'laptop', jobId: 'j', state: 'NEW' } as Application;
    writeFileSync(join(root, 'app.py'), '');
    await backend.submit(app, { mainApplicationFile: join(root, 'app.py') });
    const log = localAppPaths(context.dataDir, 'app-1').driverLog;
    await expect.poll(() => existsSync(log) && readFileSync(log, 'utf8')).toBe('SPARK_LOCAL_IP=10.1.2.3\n');
    await backend.close();
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
