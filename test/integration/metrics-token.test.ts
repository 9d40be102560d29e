/**
 * The token a Prometheus scrape holds, over real HTTP: SPARKPLANE_METRICS_TOKEN is registered with
 * scope metrics:read, which reads /metrics and nothing else; reading /metrics takes it (or admin).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../../runtime/main/config';
import { PrometheusTelemetry } from '../../runtime/adapters/prometheus/prometheus-telemetry';
import { MemoryStore } from '../support/memory-store';
import { httpFixture, type HttpFixture } from './http-fixture';

const METRICS_TOKEN = 'scrape-0123456789abcdef0123456789';

describe('the metrics token', () => {
  let fixture: HttpFixture;
  let base: string;
  beforeAll(async () => {
    fixture = await httpFixture({ telemetry: new PrometheusTelemetry(new MemoryStore()) });
    const config = loadServiceConfig({}, { SPARKPLANE_METRICS_TOKEN: METRICS_TOKEN });
    expect(config.metricsToken).toBe(METRICS_TOKEN);
    await fixture.tokens.ensureMetricsToken(config.metricsToken!);
    base = await fixture.server.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => fixture.server.close());

  const get = (path: string, token?: string) =>
    fetch(`${base}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('reads /metrics, and nothing else', async () => {
    const scraped = await get('/metrics', METRICS_TOKEN);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    expect(await scraped.text()).toContain('# TYPE sparkplane_');
    for (const path of ['/api/v1/applications', '/api/v1/jobs', '/ocean/spark/cluster', '/api/v1/tokens']) {
      const refused = await get(path, METRICS_TOKEN);
      expect(refused.status, path).toBe(403);
    }
  });

  it('is what /metrics needs: none is 401, a reader of applications 403, admin 200', async () => {
    expect((await get('/metrics')).status).toBe(401);
    const reader = await fixture.token(['applications:read']);
    const refused = await get('/metrics', reader);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('lacks the scope metrics:read');
    expect((await get('/metrics', fixture.adminSecret)).status).toBe(200);
    expect((await get('/metrics', await fixture.token(['metrics:read']))).status).toBe(200);
  });

  it('is registered once across restarts, and a short one is refused naming the variable', async () => {
    expect(await fixture.tokens.ensureMetricsToken(METRICS_TOKEN)).toBeUndefined();
    expect((await fixture.tokens.list()).filter((t) => t.name === 'metrics')).toHaveLength(1);
    await expect(fixture.tokens.ensureMetricsToken('short')).rejects.toThrow(
      'SPARKPLANE_METRICS_TOKEN must be at least 16 characters',
    );
    expect(() => loadServiceConfig({}, { SPARKPLANE_METRICS_TOKEN: 'short' })).toThrow(/metricsToken/);
  });
});
