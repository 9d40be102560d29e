/**
 * The fault suite, crashes: 500 concurrent submissions with client retries while the service is
 * killed -9 twice at points chosen by a seeded draw, on SQLite and on PostgreSQL; and PostgreSQL
 * itself stopped and started under load. The service is a child process with a fake spark-submit
 * that ends at once. Every acknowledged submission must be present exactly once and end; the
 * process must come back (restarted here, as its supervisor would) or stay alive.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/postgres';
import { fakeSparkHome, ServiceProcess } from '../support/service-process';
import { report, expectNoServerErrors, settled, submitUntilAcknowledged } from './fault-checks';

const SUBMISSIONS = 500;
const CONCURRENCY = 50;
let cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** A small deterministic generator (mulberry32): the kill points are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs SUBMISSIONS submissions, CONCURRENCY at a time, each retried until acknowledged; calls
 * `onAcknowledged(count)` after each acknowledgement (where a fault is injected).
 */
async function load(
  service: ServiceProcess,
  body: Record<string, unknown>,
  onAcknowledged: (count: number) => Promise<void>,
): Promise<string[]> {
  const ids = Array.from({ length: SUBMISSIONS }, (_, i) => `crash-${String(i).padStart(3, '0')}`);
  const acknowledged: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        await submitUntilAcknowledged(service, id, body);
        acknowledged.push(id);
        await onAcknowledged(acknowledged.length);
      }
    }),
  );
  return acknowledged;
}

describe.each(['sqlite', 'postgres'] as const)('kill -9 during %s-backed submissions', (dialect) => {
  it('keeps every acknowledged submission exactly once and leaves none in flight', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sparkplane-crash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    let databaseUrl: string | undefined;
    if (dialect === 'postgres') {
      const database = await createTestDatabase('sparkplane_crash');
      databaseUrl = database.url;
      cleanups.push(() => database.drop());
    }
    const { sparkHome, application } = fakeSparkHome(dir, 'exit 0');
    const service = await ServiceProcess.start({
      dataDir: join(dir, 'data'),
      sparkHome,
      ...(databaseUrl ? { databaseUrl } : {}),
    });
    cleanups.push(() => service.kill9());

    const random = seeded(dialect === 'sqlite' ? 20261203 : 20261204);
    const killAt = [50 + Math.floor(random() * 150), 250 + Math.floor(random() * 150)];
    let restartMs = 0;
    const acknowledged = await load(
      service,
      { clusterId: 'local', jobId: 'crash-load', configOverrides: application },
      async (count) => {
        if (!killAt.includes(count)) return;
        const started = performance.now();
        await service.restart();
        restartMs = Math.max(restartMs, performance.now() - started);
      },
    );
    const recovered = restartMs + (await service.until('/readyz', (status) => status === 200));
    report(`kill-9 (${dialect}, at ${killAt.join(' and ')})`, await settled(service, acknowledged), recovered);
    expectNoServerErrors(service);
  });
});

/** The test server's PostgreSQL (scripts/postgres.sh), stopped and started as an operator would. */
function postgres(action: 'stop' | 'start'): void {
  execFileSync('bash', ['scripts/postgres.sh', action], { stdio: 'pipe' });
}

describe('PostgreSQL stopped and started under load', () => {
  it('keeps the runtime alive and not ready while it is down, and every acknowledged submission after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sparkplane-pg-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const database = await createTestDatabase('sparkplane_pg_restart');
    cleanups.push(() => database.drop());
    const { sparkHome, application } = fakeSparkHome(dir, 'exit 0');
    const service = await ServiceProcess.start({ dataDir: join(dir, 'data'), sparkHome, databaseUrl: database.url });
    cleanups.push(() => service.kill9());

    let downFor = 0;
    const acknowledged = await load(
      service,
      { clusterId: 'local', jobId: 'pg-restart-load', configOverrides: application },
      async (count) => {
        if (count !== 150) return;
        postgres('stop');
        try {
          await service.until('/readyz', (status) => status === 503, 20_000);
          const readiness = await service.readiness();
          expect(readiness.reasons.join('\n')).toMatch(/PostgreSQL|store/);
          const refused = await service.api('/api/v1/applications', {
            method: 'POST',
            body: { clusterId: 'local', jobId: 'pg-restart-load', appId: 'while-down', configOverrides: application },
          });
          expect(refused.status).toBe(503);
          expect((refused.body as { detail: string }).detail).toMatch(/store cannot/);
          expect(service.alive).toBe(true);
        } finally {
          const started = performance.now();
          postgres('start');
          downFor = performance.now() - started;
        }
      },
    );
    const recovered = downFor + (await service.until('/readyz', (status) => status === 200, 60_000));
    report('postgres-restart', await settled(service, acknowledged), recovered);
    expect(service.alive).toBe(true);
    expectNoServerErrors(service);
  });
});
