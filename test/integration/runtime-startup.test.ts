/**
 * A restarted runtime answers at once: reconciliation of what an earlier run left active goes on
 * behind the listening server, and /readyz says ready only once it is done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import type { BackendStatus } from '../../runtime/domain/ports';
import { ServiceConfig } from '../../runtime/main/config';
import { buildRuntime, type Runtime } from '../../runtime/main/runtime';
import { FakeBackend, fakeBackendPlugin } from '../support/fake-backend';

const token = 'runtime-startup-admin-token-0123456789';
const dataDir = mkdtempSync(join(tmpdir(), 'sparkplane-startup-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A back-end whose status() (what reconciliation asks) waits until the test opens the gate. */
class GatedBackend extends FakeBackend {
  asked = 0;
  private open!: () => void;
  readonly gate = new Promise<void>((resolve) => (this.open = resolve));

  release(): void {
    this.open();
  }

  override async status(app: Application): Promise<BackendStatus> {
    this.asked += 1;
    await this.gate;
    return super.status(app);
  }
}

async function build(backend: FakeBackend): Promise<Runtime> {
  const config = ServiceConfig.parse({ dataDir, port: 0, adminToken: token });
  const runtime = await buildRuntime(config, {
    plugins: [fakeBackendPlugin(backend)],
    logger: pino({ level: 'silent' }),
    validateResponses: true,
  });
  await runtime.tokens.ensureAdminToken(token);
  return runtime;
}

const get = (url: string) => fetch(url, { headers: { authorization: `Bearer ${token}` } });

describe('a restarted runtime', () => {
  it('answers while it reconciles, and is ready only once every application is settled', async () => {
    const first = await build(new FakeBackend());
    await first.start();
    for (let i = 0; i < 3; i++) {
      const reply = await first.server.inject({
        method: 'POST',
        url: '/api/v1/applications',
        headers: { authorization: `Bearer ${token}` },
        payload: { clusterId: 'local', jobId: 'in-flight' },
      });
      expect(reply.statusCode).toBe(201);
    }
    await first.applications.idle();
    await first.close();

    const backend = new GatedBackend();
    const second = await build(backend);
    const base = await second.server.listen({ port: 0, host: '127.0.0.1' });
    const starting = second.start();
    try {
      await expect.poll(() => backend.asked).toBeGreaterThan(0);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      const listed = await get(`${base}/api/v1/applications?jobId=in-flight`);
      expect(listed.status).toBe(200);
      expect(((await listed.json()) as { items: Application[] }).items).toHaveLength(3);

      backend.release();
      await starting;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      // the fake knows none of them after its restart: reconciliation settled each
      const settled = (
        (await (await get(`${base}/api/v1/applications?jobId=in-flight`)).json()) as {
          items: Application[];
        }
      ).items;
      expect(settled.map((app) => app.state)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    } finally {
      backend.release();
      await starting.catch(() => undefined);
      await second.close();
    }
  });
});
