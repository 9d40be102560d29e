/**
 * GET /api/v1/applications/{appId}/kube-events over the HTTP fixture: the back-end's events of the
 * application when it has Kubernetes, `available: false` when it has none, and the usual answers
 * for an unknown application or a missing token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type HttpFixture, httpFixture } from './http-fixture';

let f: HttpFixture;
let admin: Record<string, string>;
const path = '/api/v1/applications/ev-run/kube-events';

beforeAll(async () => {
  f = await httpFixture();
  admin = bearer(f.adminSecret);
  const answer = await f.server.inject({
    method: 'POST',
    url: '/api/v1/applications',
    headers: admin,
    payload: {
      clusterId: 'local',
      appId: 'ev-run',
      jobId: 'ev-job',
      configOverrides: { type: 'Python', mainApplicationFile: 'local:///job.py' },
    },
  });
  expect(answer.statusCode, answer.body).toBe(201);
  await f.applications.idle();
});
afterAll(async () => {
  await f.server.close();
});

describe('the Kubernetes events of an application', () => {
  it('are the back-end’s lines for that application, or none and unavailable on a back-end without them', async () => {
    const none = await f.server.inject({ method: 'GET', url: path, headers: admin });
    expect([none.statusCode, none.json()]).toEqual([200, { available: false, items: [] }]);

    f.backend.kubeEvents = async (app) => [
      `2026-03-01T00:00:02Z Normal Scheduled Pod/${app.id}-driver: Successfully assigned spark/${app.id}-driver`,
      `2026-03-01T00:00:09Z Warning FailedScheduling Pod/${app.id}-exec-1: 0/3 nodes are available`,
    ];
    try {
      const some = await f.server.inject({ method: 'GET', url: path, headers: admin });
      expect(some.statusCode).toBe(200);
      expect(some.json().available).toBe(true);
      expect(some.json().items).toEqual([
        '2026-03-01T00:00:02Z Normal Scheduled Pod/ev-run-driver: Successfully assigned spark/ev-run-driver',
        '2026-03-01T00:00:09Z Warning FailedScheduling Pod/ev-run-exec-1: 0/3 nodes are available',
      ]);
    } finally {
      delete f.backend.kubeEvents;
    }
  });

  it('answers 404 for an unknown application and 401 without a token', async () => {
    const unknown = await f.server.inject({
      method: 'GET',
      url: '/api/v1/applications/nope/kube-events',
      headers: admin,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toContain('nope');
    expect((await f.server.inject({ method: 'GET', url: path })).statusCode).toBe(401);
  });
});
