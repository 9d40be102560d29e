/**
 * The fault suite, disks: the real service as a child process, its data directory on a small
 * tmpfs that fills up, then on a bind mount made read-only (mounting needs root, as CI runs).
 * Each case: the process stays alive, readiness is false with the reason while the fault lasts
 * and true after, requests refused meanwhile get a problem document (never a 500), and every
 * acknowledged submission is present exactly once and ends, none left in flight.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeSparkHome, ServiceProcess } from '../support/service-process';
import { report, expectNoServerErrors, settled, submitUntilAcknowledged } from './fault-checks';

let cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
  cleanups = [];
});

function mount(args: string[]): void {
  execFileSync('mount', args, { stdio: 'pipe' });
}

function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sparkplane-faults-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A refused request's answer: a problem document with a status of 503, never a 500. */
function expectRefused(answer: { status: number; body: unknown }, detail: RegExp): void {
  expect(answer.status).toBe(503);
  expect((answer.body as { detail?: string }).detail).toMatch(detail);
}

describe('a full disk', () => {
  it('refuses submissions with the reason and is not ready while full, then settles every application', async () => {
    const dir = workDir();
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    mount(['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', dataDir]);
    cleanups.push(() => execFileSync('umount', ['-l', dataDir]));
    // each driver runs 4 s: those started before the disk fills end while it is full
    const { sparkHome, application } = fakeSparkHome(dir, 'sleep 4\nexit 0');
    const service = await ServiceProcess.start({ dataDir, sparkHome, env: { SPARKPLANE_MIN_FREE_DISK_MB: '8' } });
    cleanups.push(() => void service.kill9());

    const acknowledged = Array.from({ length: 8 }, (_, i) => `before-full-${i}`);
    const submission = { clusterId: 'local', jobId: 'disk-faults', configOverrides: application };
    for (const id of acknowledged) await submitUntilAcknowledged(service, id, submission);

    // fill it to the last byte
    execFileSync('sh', ['-c', `dd if=/dev/zero of=${join(dataDir, 'filler')} bs=1M 2>/dev/null || true`]);
    await service.until('/readyz', (status) => status === 503, 10_000);
    const readiness = await service.readiness();
    expect(readiness.reasons.join('\n')).toMatch(/MiB free, under the 8 MiB it keeps/);
    for (let i = 0; i < 5; i++) {
      const answer = await service.api('/api/v1/applications', {
        method: 'POST',
        body: { clusterId: 'local', jobId: 'disk-faults', appId: `while-full-${i}`, configOverrides: application },
      });
      expectRefused(answer, /cannot (start applications now|write)/);
    }
    // the running drivers end while the disk is full
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(service.alive).toBe(true);

    rmSync(join(dataDir, 'filler'));
    const recovered = await service.until('/readyz', (status) => status === 200, 60_000);
    report('disk-full', await settled(service, acknowledged), recovered);
    expect(service.alive).toBe(true);
    expectNoServerErrors(service);
  });
});

describe('a read-only data directory', () => {
  it('refuses submissions naming the read-only file system, then takes them again once writable', async () => {
    const dir = workDir();
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    // the database elsewhere: a file open for writing would keep the mount from turning read-only
    const databaseUrl = `sqlite:${join(dir, 'store.db')}`;
    const { sparkHome, application } = fakeSparkHome(dir, 'exit 0');
    const service = await ServiceProcess.start({ dataDir, sparkHome, databaseUrl });
    cleanups.push(() => void service.kill9());
    const acknowledged = ['before-readonly-0', 'before-readonly-1'];
    const submission = { clusterId: 'local', jobId: 'disk-faults', configOverrides: application };
    for (const id of acknowledged) await submitUntilAcknowledged(service, id, submission);
    await settled(service, acknowledged);

    mount(['--bind', dataDir, dataDir]);
    cleanups.push(() => execFileSync('umount', ['-l', dataDir]));
    mount(['-o', 'remount,ro,bind', dataDir]);
    await service.until('/readyz', (status) => status === 503, 10_000);
    expect((await service.readiness()).reasons.join('\n')).toContain(`${dataDir} is on a read-only file system`);
    // the back-end looks at its disk once a second at most
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const refused = await service.api('/api/v1/applications', {
      method: 'POST',
      body: { clusterId: 'local', jobId: 'disk-faults', appId: 'while-readonly', configOverrides: application },
    });
    expectRefused(refused, /read-only file system/);
    // what was stored stays readable
    expect((await service.api('/api/v1/applications/before-readonly-0')).status).toBe(200);

    mount(['-o', 'remount,rw,bind', dataDir]);
    const recovered = await service.until('/readyz', (status) => status === 200, 10_000);
    await submitUntilAcknowledged(service, 'after-readonly', submission);
    report('read-only', await settled(service, [...acknowledged, 'after-readonly']), recovered);
    expect((await service.applications()).map((a) => a.id)).not.toContain('while-readonly');
    expectNoServerErrors(service);
  });
});
