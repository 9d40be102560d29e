/**
 * The exact request sequence of the public Airflow provider (ocean-spark-airflow-provider 1.1.4,
 * OceanSparkHook), over real HTTP: requests' json={} on every call (so GET and DELETE carry a
 * JSON body), params accountId, headers Authorization: Bearer, Content-Type and user-agent.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal } from '../../runtime/domain/states';
import { type HttpFixture, httpFixture } from './http-fixture';

let f: HttpFixture;
let base: string;
let token: string;
const ACCOUNT = 'act-f5fd9572';

beforeAll(async () => {
  f = await httpFixture();
  await f.server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(f.server.server.address() as AddressInfo).port}/ocean/spark/`;
  // what an Airflow connection holds: a token that may submit, read and kill
  token = await f.token(['applications:create', 'applications:read', 'applications:kill']);
});
afterAll(async () => {
  await f.server.close();
});

/** OceanSparkHook._do_api_call: method(endpoint, json=payload, headers=..., params={"accountId": ...}). */
async function doApiCall(method: string, path: string, payload: unknown = {}) {
  const url = new URL(path, base);
  url.searchParams.set('accountId', ACCOUNT);
  const response = await fetch(url, {
    method,
    headers: {
      'user-agent': 'airflow-2.10.5',
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: '*/*',
    },
    body: JSON.stringify(payload),
  });
  const body = (await response.json()) as {
    request: { id: string };
    response: { status: { code: number }; items: Record<string, unknown>[]; errors?: unknown[] };
  };
  if (!response.ok)
    throw new Error(
      `Request '${body.request.id}' failed with status '${response.status}' and errors: ${JSON.stringify(body.response.errors)}`,
    );
  return body;
}

// fetch refuses a body on GET, so the GETs with json={} go through node:http like requests does
async function doApiCallWithGetBody(path: string) {
  const { request } = await import('node:http');
  const url = new URL(path, base);
  url.searchParams.set('accountId', ACCOUNT);
  const payload = '{}';
  return new Promise<{ status: number; body: { response: { items: Record<string, unknown>[] } } }>(
    (resolve, reject) => {
      const req = request(
        url,
        {
          method: 'GET',
          headers: {
            'user-agent': 'airflow-2.10.5',
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    },
  );
}

describe('the Airflow provider request sequence over real HTTP', () => {
  it('test_connection: GET /cluster/{id} with json={} reads items[0].state', async () => {
    const { status, body } = await doApiCallWithGetBody('cluster/local');
    expect(status).toBe(200);
    expect(['AVAILABLE', 'PROGRESSING']).toContain(body.response.items[0]?.state);
  });

  it('submit_app, then get_app until a terminal appState, then on_kill', async () => {
    // OceanSparkOperator payload: jobId, appId, configTemplateId, configOverrides
    await f.store.putTemplate('local', { id: 'airflow-small', config: { driver: { cores: 1 } } });
    const submitted = await doApiCall('POST', 'cluster/local/app', {
      jobId: 'daily-ingestion',
      appId: 'daily-ingestion-2026-03-01',
      configTemplateId: 'airflow-small',
      configOverrides: {
        type: 'Python',
        mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py',
        arguments: ['10'],
      },
    });
    const appId = submitted.response.items[0]?.id as string;
    expect(appId).toBe('daily-ingestion-2026-03-01');

    // a retry after a connection error resubmits the same body: the same application comes back
    const retried = await doApiCall('POST', 'cluster/local/app', {
      jobId: 'daily-ingestion',
      appId: 'daily-ingestion-2026-03-01',
      configTemplateId: 'airflow-small',
      configOverrides: {
        type: 'Python',
        mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py',
        arguments: ['10'],
      },
    });
    expect(retried.response.items[0]?.id).toBe(appId);

    const script = ['RUNNING', 'COMPLETED'] as const;
    const seen: string[] = [];
    for (let poll = 0; poll < 10; poll++) {
      const { status, body } = await doApiCallWithGetBody(`cluster/local/app/${appId}`);
      expect(status).toBe(200);
      const state = (body.response.items[0]?.appState as string | undefined) ?? 'PENDING';
      seen.push(state);
      if (isTerminal(state as 'COMPLETED')) break;
      const next = script[seen.length - 1];
      if (next) f.backend.emit(appId, { state: next });
      await f.applications.idle();
    }
    // the provider's state enum has no NEW: an application not yet handed over reads PENDING
    expect(seen).toEqual(['PENDING', 'RUNNING', 'COMPLETED']);
    expect(f.backend.submitted.filter((s) => s.app.id === appId)).toHaveLength(1);

    // on_kill after the end: DELETE with json={} answers 200 and changes nothing
    const killed = await doApiCall('DELETE', `cluster/local/app/${appId}`, {});
    expect(killed.response.items[0]?.appState).toBe('COMPLETED');
  });

  it('on_kill of a running application stops it', async () => {
    const submitted = await doApiCall('POST', 'cluster/local/app', { jobId: 'daily-ingestion' });
    const appId = submitted.response.items[0]?.id as string;
    expect(appId).toMatch(/^daily-ingestion-/);
    await f.applications.idle();
    f.backend.emit(appId, { state: 'RUNNING' });
    await f.applications.idle();
    const killed = await doApiCall('DELETE', `cluster/local/app/${appId}`, {});
    expect(killed.response.items[0]?.appState).toBe('KILLED');
    expect(f.backend.killed).toContain(appId);
  });
});
