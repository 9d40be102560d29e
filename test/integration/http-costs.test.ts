/**
 * The cost report and a cluster's summary through the native API, on the in-memory store, SQLite
 * and PostgreSQL (the real sums, per day as each dialect groups them): totals are the sums of the ended runs in range, whatever the grouping.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { emptyRunMetrics } from '../../runtime/domain/metrics';
import { createTestDatabase } from '../support/postgres';
import { bearer, type HttpFixture, httpFixture } from './http-fixture';

let f: HttpFixture;
/** Drops the test's PostgreSQL database, if it made one. */
let drop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await f.server.close();
  await drop?.();
  drop = undefined;
});

/** A run of `jobId` on `clusterId` that ended at `endedAt`, costing `cost` for `coreSeconds`. */
async function endedRun(clusterId: string, jobId: string, endedAt: string, cost: number, coreSeconds: number) {
  const submitted = await f.server.inject({
    method: 'POST',
    url: '/api/v1/applications',
    headers: bearer(f.adminSecret),
    payload: { clusterId, jobId },
  });
  const id = submitted.json().id as string;
  await f.applications.idle();
  const ended = Date.parse(endedAt);
  await f.store.updateApplication(id, {
    state: 'COMPLETED',
    startedAt: new Date(ended - 600_000).toISOString(),
    endedAt,
    metrics: {
      ...emptyRunMetrics(),
      durationMs: 600_000,
      executorCoreSeconds: coreSeconds,
      executorRunTimeMs: coreSeconds * 500,
      inputBytes: 1000,
      outputBytes: 10,
      cost: { total: cost, currency: 'USD', method: 'test' },
    },
  });
}

/** The store of a case: in memory, a SQLite file's worth in memory, or a fresh PostgreSQL database. */
type StoreKind = 'memory' | 'sqlite' | 'postgres';

async function storeUrlOf(kind: StoreKind): Promise<string | undefined> {
  if (kind === 'memory') return undefined;
  if (kind === 'sqlite') return ':memory:';
  const database = await createTestDatabase();
  drop = database.drop;
  return database.url;
}

async function seed(kind: StoreKind) {
  const storeUrl = await storeUrlOf(kind);
  f = await httpFixture(storeUrl === undefined ? {} : { storeUrl });
  await endedRun('local', 'etl', '2026-02-20T10:00:00.000Z', 3, 7200);
  await endedRun('local', 'etl', '2026-02-21T10:00:00.000Z', 1, 3600);
  await endedRun('local', 'report', '2026-02-21T11:00:00.000Z', 2, 3600);
  await endedRun('other', 'adhoc', '2026-02-21T12:00:00.000Z', 1.5, 3600);
  // outside the range of the report
  await endedRun('local', 'etl', '2026-01-01T10:00:00.000Z', 100, 3600);
}

describe.each<StoreKind>(['memory', 'sqlite', 'postgres'])('costs on the %s store', (kind) => {
  it('reports the total of the range, the top groups with their share and every day with the rest as "(other)"', async () => {
    await seed(kind);
    const response = await f.server.inject({
      method: 'GET',
      url: '/api/v1/costs?from=2026-02-20T00:00:00.000Z&to=2026-02-22T00:00:00.000Z&groupBy=job&top=1',
      headers: bearer(f.adminSecret),
    });
    expect(response.statusCode).toBe(200);
    const report = response.json();
    expect(report.currency).toBe('USD');
    expect(report.total).toEqual({ cost: 7.5, coreHours: 5, applicationHours: 4 / 6, applications: 4 });
    // etl: 4 of 7.5
    expect(report.top).toEqual([
      { key: 'etl', cost: 4, coreHours: 3, applicationHours: 2 / 6, applications: 2, share: 4 / 7.5 },
    ]);
    expect(report.days.map((d: { day: string }) => d.day)).toEqual(['2026-02-20', '2026-02-21']);
    const [first, second] = report.days as { groups: { key: string; cost: number }[] }[];
    expect(first!.groups.map((g) => [g.key, g.cost])).toEqual([['etl', 3]]);
    expect(second!.groups.map((g) => [g.key, g.cost])).toEqual([
      ['etl', 1],
      ['(other)', 3.5],
    ]);
  });

  it("sums a cluster's runs of the window, with its efficiency and ends per day", async () => {
    await seed(kind);
    // the fixture's clock stands at 2026-03-01: the 30 days before it hold the four February runs
    const response = await f.server.inject({
      method: 'GET',
      url: '/api/v1/clusters/local/summary?window=30d',
      headers: bearer(f.adminSecret),
    });
    expect(response.statusCode).toBe(200);
    const summary = response.json();
    expect(summary.currency).toBe('USD');
    expect(summary.totals).toMatchObject({ cost: 6, coreHours: 4, applications: 3, inputBytes: 3000, outputBytes: 30 });
    expect(summary.totals.efficiency).toBeCloseTo(0.5);
    expect(summary.countsByState).toContainEqual({ state: 'COMPLETED', count: 3 });
    const ends = summary.endedPerDay.filter((d: { completed: number }) => d.completed > 0);
    expect(ends.map((d: { day: string; completed: number }) => [d.day, d.completed])).toEqual([
      ['2026-02-20', 1],
      ['2026-02-21', 2],
    ]);
  });
});
