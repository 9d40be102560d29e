/**
 * The auth matrix over every route, from the server's own route table: a token limited to other
 * clusters, jobs or templates never acts on what lies outside its limits, and never learns that
 * it exists: what is outside its limits gets the answer of an id that does not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../runtime/domain/tokens';
import { bearer, type HttpFixture, httpFixture } from './http-fixture';

let f: HttpFixture;
/** Every scope, limited to things other than the seeded ones. */
const limits = {
  cluster: { clusterIds: ['other'] },
  job: { jobIds: ['other-job'] },
  template: { templateIds: ['other-template'] },
};
const secrets: Record<keyof typeof limits, string> = { cluster: '', job: '', template: '' };

beforeAll(async () => {
  f = await httpFixture();
  const admin = bearer(f.adminSecret);
  const post = (url: string, payload: object) => f.server.inject({ method: 'POST', url, headers: admin, payload });
  expect((await post('/api/v1/clusters/local/templates', { id: 'seeded', config: {} })).statusCode).toBe(201);
  expect(
    (
      await post('/api/v1/applications', {
        clusterId: 'local',
        jobId: 'seeded',
        appId: 'seeded',
        configTemplateId: 'seeded',
      })
    ).statusCode,
  ).toBe(201);
  for (const kind of Object.keys(limits) as (keyof typeof limits)[]) {
    secrets[kind] = await f.token(
      [...SCOPES].filter((s) => s !== 'admin'),
      limits[kind],
    );
  }
});
afterAll(async () => {
  await f.server.close();
});

/** The route's URL for the seeded resources, or for ones that do not exist (Ocean routes name the account). */
function concrete(url: string, existing: boolean): string {
  const path = url.replace(/:(\w+)/g, (_m, name: string) => {
    if (name === 'clusterId') return 'local';
    return existing ? 'seeded' : 'missing';
  });
  return url.startsWith('/ocean/') ? `${path}?accountId=act-1` : path;
}

const routes = () =>
  f.server.routeTable.filter(
    (r) => r.scope !== 'public' && r.scope !== 'tokens:manage' && r.scope !== 'admin' && r.url.includes(':'),
  );

describe('a token limited to other clusters, jobs or templates', () => {
  it('acts on nothing outside its limits, on every route that names a resource', async () => {
    let checked = 0;
    for (const route of routes()) {
      for (const [kind, secret] of Object.entries(secrets)) {
        const url = concrete(route.url, true);
        const answer = await f.server.inject({
          method: route.method as 'GET',
          url,
          payload: {},
          headers: bearer(secret),
        });
        const name = `${route.method} ${route.url} with a token limited to another ${kind}`;
        // a limit that does not apply (a job limit on a template route...) may pass: then it must be about the seeded thing
        if (answer.statusCode < 300) {
          const applies =
            kind === 'cluster' ||
            (kind === 'job' && /:(appId|jobId)/.test(route.url)) ||
            (kind === 'template' && /:(templateId|appId)/.test(route.url));
          expect(applies, `${name} answered ${answer.statusCode}`).toBe(false);
        } else {
          expect([400, 403, 404, 409], name).toContain(answer.statusCode);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('cannot tell an application or job outside its limits from one that does not exist', async () => {
    const byId = routes().filter((r) => /:(appId|jobId)/.test(r.url) && (r.method === 'GET' || r.method === 'DELETE'));
    expect(byId.length).toBeGreaterThan(10);
    for (const route of byId) {
      for (const kind of ['cluster', 'job'] as const) {
        const secret = secrets[kind];
        const ask = async (existing: boolean) => {
          const url = concrete(route.url, existing);
          const answer = await f.server.inject({
            method: route.method as 'GET',
            url,
            payload: {},
            headers: bearer(secret),
          });
          return {
            status: answer.statusCode,
            body: answer.body.replace(/seeded|missing/g, 'ID').replace(/"(id|timestamp)":"[^"]*"/g, ''),
          };
        };
        const outside = await ask(true);
        const absent = await ask(false);
        const name = `${route.method} ${route.url} (limited to another ${kind})`;
        expect([403, 404], name).toContain(outside.status);
        expect(outside, name).toEqual(absent);
      }
    }
  });

  it('lists nothing outside its limits', async () => {
    const list = async (url: string, secret: string) =>
      (await f.server.inject({ method: 'GET', url, headers: bearer(secret) })).json() as { items: { id: string }[] };
    expect((await list('/api/v1/clusters', secrets.cluster)).items.map((c) => c.id)).toEqual(['other']);
    const apps = await f.server.inject({
      method: 'GET',
      url: '/api/v1/applications',
      headers: bearer(secrets.cluster),
    });
    expect(apps.statusCode).toBe(200);
    expect(apps.json().items).toEqual([]);
    const jobs = await list('/api/v1/jobs', secrets.job);
    expect(jobs.items.map((j) => j.id)).not.toContain('seeded');
    const templates = await list('/api/v1/clusters/local/templates', secrets.template);
    expect(templates.items).toEqual([]);
  });

  it("does not get back another job's application by naming its appId", async () => {
    const answer = await f.server.inject({
      method: 'POST',
      url: '/api/v1/applications',
      headers: bearer(await f.token(['applications:create', 'applications:read'], { jobIds: ['mine'] })),
      payload: { clusterId: 'local', jobId: 'mine', appId: 'seeded' },
    });
    expect(answer.statusCode).toBe(409);
    expect(answer.body).not.toContain('configTemplateId');
    expect(answer.json().detail).toBe(
      'application seeded already exists and is not a submission of job mine on cluster local: choose another appId or idempotency key',
    );
    const ocean = await f.server.inject({
      method: 'POST',
      url: '/ocean/spark/cluster/local/app?accountId=act-1',
      headers: bearer(await f.token(['applications:create'], { templateIds: ['other-template'] })),
      payload: { jobId: 'seeded', appId: 'seeded', configTemplateId: 'other-template' },
    });
    expect(ocean.statusCode).toBe(409);
    expect(ocean.json().response.errors[0].message).toContain('application seeded already exists and is not');
  });
});
