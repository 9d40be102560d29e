/**
 * The dashboards' API over real HTTP on SQLite and PostgreSQL: the application list's filters,
 * sorts and cursors, the cost report, the cluster summary, the Jobs page's last run, and the
 * stream of application changes read by a real HTTP client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Application, ApplicationSortKey } from '../../runtime/domain/application';
import { requestedCores } from '../../runtime/domain/config';
import type { CostReport, ClusterSummary } from '../../runtime/domain/insights';
import { emptyRunMetrics, type RunMetrics } from '../../runtime/domain/metrics';
import { type AppState, isTerminal } from '../../runtime/domain/states';
import { createTestDatabase } from '../support/postgres';
import { bearer, type HttpFixture, httpFixture } from './http-fixture';

interface Backend {
  name: string;
  setUp(): Promise<{ url: string; tearDown(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    setUp: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sparkplane-dashboard-'));
      return { url: `sqlite:${join(dir, 'store.db')}`, tearDown: async () => rmSync(dir, { recursive: true }) };
    },
  },
  {
    name: 'postgres',
    setUp: async () => {
      const database = await createTestDatabase();
      return { url: database.url, tearDown: database.drop };
    },
  },
];

/** The fixture's clock starts at 2026-03-01T00:00Z: the 24 h window of the cluster summary ends about then. */
const T = Date.parse('2026-02-28T01:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const STATES: AppState[] = [
  'COMPLETED',
  'FAILED',
  'KILLED',
  'COMPLETED',
  'RUNNING',
  'PENDING',
  'TIMED_OUT',
  'COMPLETED_WITH_WARNINGS',
];
const JOBS = ['job-a', 'job-b', 'job-c'];
const USERS = ['ann', 'bob', undefined];

function metricsOf(i: number): RunMetrics | undefined {
  if (i % 5 === 4) return undefined; // ended but never measured
  const metrics: RunMetrics = {
    ...emptyRunMetrics(),
    durationMs: 60_000 + i * 1000,
    executorCoreSeconds: 100 + i * 10,
    executorRunTimeMs: 50_000 + i * 2000,
    inputBytes: 1000 * i,
    outputBytes: 10 * i,
  };
  // pairs of runs cost the same, so ties are broken by id; every 6th run was not priced
  if (i % 6 !== 5) metrics.cost = { total: Math.floor(i / 2) * 0.01, currency: 'USD', method: 'test' };
  return metrics;
}

/** 24 applications over two clusters, three jobs and users, every state; a few ended three days earlier. */
async function seed(f: HttpFixture): Promise<void> {
  for (let i = 0; i < 24; i++) {
    const shift = i % 8 === 6 ? -3 * 86_400_000 : 0;
    const created = T + shift + i * 10 * 60_000;
    const state = STATES[i % STATES.length]!;
    const user = USERS[i % 3];
    const type = i % 11 === 3 ? 'session' : 'batch';
    // a session belongs to no job
    const jobId = type === 'batch' ? JOBS[i % 3]! : undefined;
    const app: Application = {
      id: `app-${String(i).padStart(2, '0')}-${JOBS[i % 3]}`,
      clusterId: i % 2 === 0 ? 'local' : 'other',
      ...(jobId !== undefined ? { jobId } : {}),
      state: 'NEW',
      submissionSource: 'api',
      type,
      ...(user !== undefined ? { userId: user } : {}),
      configOverrides: {},
      config: {
        type: 'Python',
        mainApplicationFile: 'local:///job.py',
        driver: { cores: 1 },
        executor: { instances: 2, cores: 1 + (i % 3) },
        labels: { team: i % 4 === 0 ? 'x' : 'y' },
      },
      provenance: {},
      createdAt: iso(created),
      updatedAt: iso(created),
    };
    if (jobId !== undefined) {
      await f.store.ensureJob({
        id: jobId,
        clusterId: app.clusterId,
        config: {},
        tuning: { mode: 'off', objective: 'cost' },
        concurrencyPolicy: 'Allow',
      });
    }
    await f.store.insertApplication(app);
    if (state === 'PENDING') await f.store.updateApplication(app.id, { state });
    if (state === 'NEW' || state === 'PENDING') continue;
    await f.store.updateApplication(app.id, { state: 'RUNNING', startedAt: iso(created + 60_000) });
    if (!isTerminal(state)) continue;
    await f.store.updateApplication(app.id, { state, endedAt: iso(created + 300_000 + i * 1000) });
    const metrics = metricsOf(i);
    if (metrics) await f.store.updateApplication(app.id, { metrics });
  }
}

describe.each(backends)('dashboards API on $name', (backend) => {
  let f: HttpFixture;
  let tearDown: () => Promise<void>;
  let all: Application[];
  let admin: Record<string, string>;

  const get = async (url: string, headers = admin) => f.server.inject({ method: 'GET', url, headers });
  const fieldsOf = (body: { errors: { path: string }[] }) => body.errors.map((e) => e.path);
  /** Query-string fields are named as "query.<name>". */
  const queryFields = (body: { errors: { path: string }[] }) => fieldsOf(body).map((p) => p.replace(/^query\./, ''));

  /** Every application the list serves for this query, page by page; fails on a repeated id. */
  async function everyPage(query: string, limit = 5): Promise<Application[]> {
    const seen: Application[] = [];
    let cursor: string | undefined;
    do {
      const page = await get(
        `/api/v1/applications?limit=${limit}&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json() as { items: Application[]; nextCursor?: string };
      seen.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    expect(new Set(seen.map((a) => a.id)).size).toBe(seen.length);
    return seen;
  }

  beforeAll(async () => {
    const database = await backend.setUp();
    tearDown = database.tearDown;
    f = await httpFixture({ storeUrl: database.url });
    admin = bearer(f.adminSecret);
    await seed(f);
    all = await everyPage('', 500);
    expect(all).toHaveLength(24);
  });

  afterAll(async () => {
    await f?.server.close();
    await tearDown?.();
  });

  describe('application list', () => {
    const valueOf: Record<ApplicationSortKey, (a: Application) => string | number | undefined> = {
      createdAt: (a) => a.createdAt,
      startedAt: (a) => a.startedAt,
      duration: (a) => a.metrics?.durationMs,
      cost: (a) => a.metrics?.cost?.total,
      coreHours: (a) => a.metrics?.executorCoreSeconds,
    };

    /** The order the API promises: by the key, ties by id in the same direction, those without the key last. */
    function expected(apps: Application[], key: ApplicationSortKey, order: 'asc' | 'desc'): string[] {
      const sign = order === 'asc' ? 1 : -1;
      return [...apps]
        .sort((a, b) => {
          const x = valueOf[key](a);
          const y = valueOf[key](b);
          if ((x === undefined) !== (y === undefined)) return x === undefined ? 1 : -1;
          if (x !== undefined && y !== undefined && x !== y) return x < y ? -sign : sign;
          return a.id < b.id ? -sign : sign;
        })
        .map((a) => a.id);
    }

    it('sorts by every key in both orders, and its cursors reach the last row without repeats', async () => {
      for (const key of ['createdAt', 'startedAt', 'duration', 'cost', 'coreHours'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          const ids = (await everyPage(`sort=${key}&order=${order}`, 4)).map((a) => a.id);
          expect(ids, `${key} ${order}`).toEqual(expected(all, key, order));
        }
      }
      // the default is createdAt, newest first
      expect((await everyPage('')).map((a) => a.id)).toEqual(expected(all, 'createdAt', 'desc'));
    });

    it('filters by user, type, text in the ids, cluster and state, with a sort', async () => {
      const ids = async (query: string) => (await everyPage(query, 3)).map((a) => a.id).sort();
      const of = (keep: (a: Application) => boolean) =>
        all
          .filter(keep)
          .map((a) => a.id)
          .sort();
      expect(await ids('userId=ann')).toEqual(of((a) => a.userId === 'ann'));
      expect(await ids('type=session')).toEqual(of((a) => a.type === 'session'));
      expect((await ids('type=session')).length).toBeGreaterThan(0);
      expect(await ids('type=batch')).toEqual(of((a) => a.type === 'batch'));
      // repeatable, as the dashboard's "notebook / session" asks: any of the types given
      expect(await ids('type=session&type=notebook')).toEqual(await ids('type=session'));
      expect(await ids('type=session&type=batch')).toEqual(of((a) => a.type === 'session' || a.type === 'batch'));
      expect((await ids('type=session&type=batch')).length).toBeGreaterThan((await ids('type=batch')).length);
      expect(await ids('q=JOB-B')).toEqual(of((a) => a.jobId === 'job-b'));
      expect(await ids('q=app-1')).toEqual(of((a) => a.id.startsWith('app-1')));
      expect(await ids('q=a%25')).toEqual([]); // % is text, not a wildcard
      const filtered = await everyPage('clusterId=local&state=COMPLETED&sort=cost&order=desc', 2);
      expect(filtered.map((a) => a.id)).toEqual(
        expected(
          all.filter((a) => a.clusterId === 'local' && a.state === 'COMPLETED'),
          'cost',
          'desc',
        ),
      );
    });

    it('refuses bad values and a cursor of another sort with a 400 naming the field', async () => {
      for (const [query, field] of [
        ['sort=name', 'sort'],
        ['order=up', 'order'],
        ['type=interactive', 'type'],
        ['from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z', 'to'],
        ['q=', 'q'],
      ] as const) {
        const response = await get(`/api/v1/applications?${query}`);
        expect(response.statusCode, query).toBe(400);
        expect(queryFields(response.json()), query).toContain(field);
      }
      const first = (await get('/api/v1/applications?limit=2&sort=cost')).json() as { nextCursor: string };
      const mismatch = await get(`/api/v1/applications?sort=duration&cursor=${first.nextCursor}`);
      expect(mismatch.statusCode).toBe(400);
      expect(fieldsOf(mismatch.json())).toEqual(['cursor']);
      const reversed = await get(`/api/v1/applications?sort=cost&order=asc&cursor=${first.nextCursor}`);
      expect(reversed.statusCode).toBe(400);
    });
  });

  describe('cost report', () => {
    const from = '2026-02-20T00:00:00.000Z';
    const to = '2026-03-02T00:00:00.000Z';
    const ended = () => all.filter((a) => a.endedAt !== undefined);
    const sum = (apps: Application[], pick: (m: RunMetrics) => number) =>
      apps.reduce((total, a) => total + (a.metrics ? pick(a.metrics) : 0), 0);

    it("sums the applications' metrics per day and group, and ranks the top groups", async () => {
      const response = await get(`/api/v1/costs?from=${from}&to=${to}&groupBy=job&top=2`);
      expect(response.statusCode, response.body).toBe(200);
      const report = response.json() as CostReport;
      const apps = ended();
      expect(report.total.applications).toBe(apps.length);
      expect(report.total.cost).toBeCloseTo(
        sum(apps, (m) => m.cost?.total ?? 0),
        9,
      );
      expect(report.total.coreHours).toBeCloseTo(sum(apps, (m) => m.executorCoreSeconds) / 3600, 9);
      expect(report.total.applicationHours).toBeCloseTo(sum(apps, (m) => m.durationMs) / 3_600_000, 9);
      expect(report.currency).toBe('USD');
      expect(report.days.map((d) => d.day)).toEqual(
        Array.from({ length: 10 }, (_, i) => iso(Date.parse(from) + i * 86_400_000).slice(0, 10)),
      );
      // every day adds up to the applications that ended on it
      for (const { day, groups } of report.days) {
        const onDay = apps.filter((a) => a.endedAt!.slice(0, 10) === day);
        expect(
          groups.reduce((n, g) => n + g.applications, 0),
          day,
        ).toBe(onDay.length);
        expect(groups.reduce((c, g) => c + g.cost, 0)).toBeCloseTo(
          sum(onDay, (m) => m.cost?.total ?? 0),
          9,
        );
      }
      const perJob = JOBS.map((job) => ({
        key: job,
        cost: sum(
          apps.filter((a) => a.jobId === job),
          (m) => m.cost?.total ?? 0,
        ),
      })).sort((a, b) => b.cost - a.cost || (a.key < b.key ? -1 : 1));
      expect(report.top.map((g) => g.key)).toEqual(perJob.slice(0, 2).map((g) => g.key));
      expect(report.top[0]!.cost).toBeCloseTo(perJob[0]!.cost, 9);
      expect(report.top[0]!.share).toBeCloseTo(perJob[0]!.cost / report.total.cost, 9);
    });

    it('groups by user, cluster and label, counting runs without one under ""', async () => {
      const groups = async (query: string) => {
        const report = (await get(`/api/v1/costs?from=${from}&to=${to}&${query}`)).json() as CostReport;
        return Object.fromEntries(report.top.map((g) => [g.key, g.applications]));
      };
      const count = (keyOf: (a: Application) => string) =>
        ended().reduce<Record<string, number>>((acc, a) => ({ ...acc, [keyOf(a)]: (acc[keyOf(a)] ?? 0) + 1 }), {});
      expect(await groups('groupBy=user')).toEqual(count((a) => a.userId ?? ''));
      expect(await groups('groupBy=cluster')).toEqual(count((a) => a.clusterId));
      expect(await groups('groupBy=label&labelKey=team')).toEqual(count((a) => a.config.labels?.team ?? ''));
      expect(await groups('groupBy=label&labelKey=none')).toEqual({ '': ended().length });
    });

    it('shows a token limited to a cluster or a job only theirs', async () => {
      const local = bearer(await f.token(['applications:read'], { clusterIds: ['local'] }));
      const report = (await get(`/api/v1/costs?from=${from}&to=${to}&groupBy=cluster`, local)).json() as CostReport;
      expect(report.top.map((g) => g.key)).toEqual(['local']);
      expect(report.total.applications).toBe(ended().filter((a) => a.clusterId === 'local').length);
      const refused = await get(`/api/v1/costs?from=${from}&to=${to}&clusterId=other`, local);
      expect(refused.statusCode).toBe(403);
      const jobB = bearer(await f.token(['applications:read'], { jobIds: ['job-b'] }));
      const byJob = (await get(`/api/v1/costs?from=${from}&to=${to}`, jobB)).json() as CostReport;
      expect(byJob.top.map((g) => g.key)).toEqual(['job-b']);
    });

    it('refuses bad query values with a 400 naming the field', async () => {
      for (const [query, field] of [
        [`to=${to}`, 'from'],
        [`from=${from}&to=${from}`, 'to'],
        [`from=${from}&to=${to}&groupBy=team`, 'groupBy'],
        [`from=${from}&to=${to}&groupBy=label`, 'labelKey'],
        [`from=${from}&to=${to}&top=0`, 'top'],
        [`from=2020-01-01T00:00:00Z&to=${to}`, 'to'],
      ] as const) {
        const response = await get(`/api/v1/costs?${query}`);
        expect(response.statusCode, query).toBe(400);
        expect(queryFields(response.json()), query).toContain(field);
      }
    });
  });

  describe('cluster summary', () => {
    it('sums the window, counts states, ends per day and samples activity', async () => {
      const response = await get('/api/v1/clusters/local/summary?window=24h');
      expect(response.statusCode, response.body).toBe(200);
      const summary = response.json() as ClusterSummary;
      const from = Date.parse(summary.from);
      const inWindow = all.filter(
        (a) => a.clusterId === 'local' && a.endedAt !== undefined && Date.parse(a.endedAt) >= from,
      );
      expect(inWindow.length).toBeGreaterThan(0);
      expect(inWindow.length).toBeLessThan(all.filter((a) => a.clusterId === 'local' && a.endedAt).length);
      expect(summary.totals.applications).toBe(inWindow.length);
      expect(summary.totals.cost).toBeCloseTo(
        inWindow.reduce((c, a) => c + (a.metrics?.cost?.total ?? 0), 0),
        9,
      );
      expect(summary.totals.inputBytes).toBe(inWindow.reduce((c, a) => c + (a.metrics?.inputBytes ?? 0), 0));
      const measured = inWindow.filter((a) => a.metrics);
      expect(summary.totals.efficiency).toBeCloseTo(
        measured.reduce((c, a) => c + a.metrics!.executorRunTimeMs / 1000, 0) /
          measured.reduce((c, a) => c + a.metrics!.executorCoreSeconds, 0),
        9,
      );
      const active = all.filter((a) => a.clusterId === 'local' && !isTerminal(a.state));
      const counts = Object.fromEntries(summary.countsByState.map((c) => [c.state, c.count]));
      for (const state of ['RUNNING', 'PENDING', 'COMPLETED', 'FAILED'] as const) {
        const expected = [...active, ...inWindow].filter((a) => a.state === state).length;
        expect(counts[state] ?? 0, state).toBe(expected);
      }
      const ends = summary.endedPerDay.reduce((n, d) => n + d.completed + d.failed + d.killed + d.timedOut, 0);
      expect(ends).toBe(inWindow.length);
      expect(summary.activity).toHaveLength(48);
      const last = summary.activity[47]!;
      expect(last.at).toBe(summary.to);
      const running = active.filter((a) => a.state === 'RUNNING');
      expect(last.running).toBe(running.length);
      expect(last.pending).toBe(active.filter((a) => a.state === 'PENDING').length);
      expect(last.cores).toBe(running.reduce((c, a) => c + requestedCores(a.config), 0));
      expect(((await get('/api/v1/clusters/local/summary?window=30d')).json() as ClusterSummary).activity).toHaveLength(
        120,
      );
    });

    it('answers 400 naming the window, 404 for an unknown or hidden cluster', async () => {
      const bad = await get('/api/v1/clusters/local/summary?window=1y');
      expect(bad.statusCode).toBe(400);
      expect(fieldsOf(bad.json())).toEqual(['query.window']);
      expect((await get('/api/v1/clusters/nope/summary')).statusCode).toBe(404);
      const other = bearer(await f.token(['applications:read'], { clusterIds: ['other'] }));
      expect((await get('/api/v1/clusters/local/summary', other)).statusCode).toBe(404);
    });

    it('lists clusters with their running applications', async () => {
      const clusters = (await get('/api/v1/clusters')).json() as {
        items: { id: string; runningApplications: number }[];
      };
      for (const cluster of clusters.items) {
        expect(cluster.runningApplications, cluster.id).toBe(
          all.filter((a) => a.clusterId === cluster.id && a.state === 'RUNNING').length,
        );
      }
    });
  });

  describe('jobs', () => {
    it('lists every job with its latest run in one request', async () => {
      const jobs = (await get('/api/v1/jobs')).json() as {
        items: { id: string; lastRun?: { appId: string; state: string; cost?: number } }[];
      };
      expect(jobs.items.map((j) => j.id)).toEqual(JOBS);
      for (const job of jobs.items) {
        const latest = all.filter((a) => a.jobId === job.id).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))[0]!;
        expect(job.lastRun?.appId).toBe(latest.id);
        expect(job.lastRun?.state).toBe(latest.state);
        expect(job.lastRun?.cost).toBe(latest.metrics?.cost?.total);
      }
    });
  });

  describe('stream of changes', () => {
    it('sends a change the token may see, and ends cleanly when the client goes away', async () => {
      await f.server.listen({ port: 0, host: '127.0.0.1' });
      const { port } = f.server.server.address() as AddressInfo;
      const limited = await f.token(['applications:read', 'applications:create'], { clusterIds: ['local'] });
      // node:http without an agent: fetch's pool opens a spare connection when a stream is aborted,
      // which holds the server's close until the server's headers time-out (about 70 s)
      const request = http.get(`http://127.0.0.1:${port}/api/v1/applications/events`, {
        headers: bearer(limited),
        agent: false,
      });
      onTestFinished(() => void request.destroy());
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        request.once('response', resolve);
        request.once('error', reject);
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
      response.setEncoding('utf8');
      const chunks = response[Symbol.asyncIterator]() as AsyncIterator<string>;
      const read = async () => (await chunks.next()).value ?? '';
      let text = '';
      while (!text.includes(': connected')) text += await read();
      expect(f.changes.listenerCount).toBe(1);

      // a change on a cluster outside the token's limits is not sent; the next one is
      const submit = (clusterId: string, jobId: string) =>
        f.server.inject({
          method: 'POST',
          url: '/api/v1/applications',
          headers: admin,
          payload: { clusterId, jobId },
        });
      const hidden = (await submit('other', 'job-b')).json() as Application;
      const shown = (await submit('local', 'job-a')).json() as Application;
      const complete = () =>
        text.includes('event: application') && text.slice(text.indexOf('event: application')).includes('\n\n');
      while (!complete()) text += await read();
      const event = text.slice(text.indexOf('event: application')).split('\n');
      expect(event[0]).toBe('event: application');
      const change = JSON.parse(event[1]!.slice('data: '.length)) as { application: Application };
      expect(change.application.id).toBe(shown.id);
      expect(text).not.toContain(hidden.id);

      request.destroy();
      await f.applications.idle();
      while (f.changes.listenerCount > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(f.changes.listenerCount).toBe(0);
    });

    it('refuses a token without applications:read', async () => {
      const creator = bearer(await f.token(['applications:create']));
      expect((await get('/api/v1/applications/events', creator)).statusCode).toBe(403);
      const bad = await get('/api/v1/applications/events?clusterId=Not_An_Id');
      expect(bad.statusCode).toBe(400);
      expect(fieldsOf(bad.json())).toEqual(['query.clusterId']);
    });
  });
});
