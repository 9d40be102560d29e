/**
 * The contract: /openapi.json describes every route of both APIs completely (summary,
 * description, request and response schemas), and what the routes answer fits those schemas
 * (the fixture's server checks every answer of every integration test against its route's
 * response schema; here, that a misfit is caught).
 */
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type HttpFixture, httpFixture } from './http-fixture';

interface Operation {
  summary?: string;
  description?: string;
  parameters?: { in: string; name: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { examples?: unknown[] }> };
}

let f: HttpFixture;
let doc: OpenApi;
beforeAll(async () => {
  f = await httpFixture();
  doc = (await f.server.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApi;
});
afterAll(async () => {
  await f.server.close();
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
  );

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every route of both APIs but the documentation itself', () => {
    expect(doc.openapi).toBe('3.1.0');
    const documented = new Set(operations().map((o) => o.name));
    const registered = f.server.routeTable
      // the dashboards' static files are no operation of the API
      .filter((r) => !r.url.startsWith('/docs') && r.url !== '/openapi.json' && r.url !== '/*')
      // a wildcard (the Spark UI proxy's rest of the path) is the path parameter "*"
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{*}')}`);
    expect(registered.length).toBeGreaterThan(40);
    expect(registered.filter((route) => !documented.has(route))).toEqual([]);
  });

  it('gives every operation a summary, a description and a schema for each answer', () => {
    for (const { name, operation } of operations()) {
      expect(operation.summary, name).toMatch(/\w/);
      expect(operation.description, name).toMatch(/\w/);
      const responses = Object.entries(operation.responses ?? {});
      expect(
        // a WebSocket's success is its upgrade (101 Switching Protocols)
        responses.some(([status]) => /^(2\d\d|101)$/.test(status)),
        `${name} has a success response`,
      ).toBe(true);
      for (const [status, response] of responses) {
        expect(response.description, `${name} ${status}`).not.toBe('Default Response');
        if (status === '204') continue;
        const schemas = Object.values(response.content ?? {}).map((c) => c.schema);
        expect(schemas.length, `${name} ${status} has a schema`).toBeGreaterThan(0);
      }
    }
  });

  it('gives every operation that takes a body its schema, and every path parameter one', () => {
    for (const { name, operation } of operations()) {
      const method = name.split(' ')[0]!;
      if (method === 'POST' || method === 'PUT') {
        // JSON, or the one binary protocol a relay takes (Thrift over HTTP: .../app/{appId}/code)
        const content = operation.requestBody?.content;
        expect(
          (content?.['application/json'] ?? content?.['application/x-thrift'])?.schema,
          `${name} body`,
        ).toBeDefined();
      }
      const inPath = [...name.matchAll(/\{(\w+|\*)\}/g)].map((m) => m[1]);
      const declared = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect(declared.sort(), name).toEqual(inPath.sort());
    }
  });

  it('documents errors in the shape and media type each API answers them', async () => {
    const errorsOf = (path: string, method: string) => doc.paths[path]![method]!.responses!['4XX']!.content;
    const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
    const envelope = { 'application/json': { schema: { $ref: '#/components/schemas/OceanError' } } };
    expect(errorsOf('/api/v1/applications', 'post')).toEqual(problem);
    expect(errorsOf('/api/v1/applications/{appId}/log', 'get')).toEqual(problem);
    expect(errorsOf('/ocean/spark/cluster/{clusterId}/app', 'post')).toEqual(envelope);
    expect(errorsOf('/ocean/spark/cluster/{clusterId}/app/{appId}/log/live', 'get')).toEqual(envelope);
    const answer = await f.server.inject({ method: 'GET', url: '/api/v1/applications/nope/log' });
    expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  });

  it("answers a malformed URL and a very long id with the error documents, not the router's own", async () => {
    const bad = await f.server.inject({ method: 'GET', url: '/ocean/spark/cluster/%E0%A4%A?accountId=a' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().response.errors[0]).toMatchObject({ code: 'VALIDATION_FAILED', field: '(url)' });
    const long = await f.server.inject({
      method: 'GET',
      url: `/api/v1/clusters/${'a'.repeat(101)}`,
      headers: bearer(f.adminSecret),
    });
    expect(long.statusCode).toBe(404);
    expect(long.json().code).toBe('RESOURCE_NOT_FOUND');
  });

  it('shows an example submission for both APIs', () => {
    for (const name of ['SubmitRequestInput', 'NativeSubmitRequestInput']) {
      const example = doc.components.schemas[name]?.examples?.[0] as { jobId?: string } | undefined;
      expect(example?.jobId, name).toBe('daily-etl-ingestion');
    }
  });

  it('is what /docs browses', async () => {
    const config = await f.server.inject({ method: 'GET', url: '/docs/json' });
    expect(config.statusCode).toBe(200);
    expect(config.json().paths).toEqual(doc.paths);
  });
});

describe('response validation', () => {
  it('turns an answer that does not fit its response schema into a logged 500', async () => {
    const { buildServer } = await import('../../runtime/adapters/http/server');
    const server = await buildServer(
      {
        applications: f.applications,
        jobs: undefined as never,
        templates: undefined as never,
        clusters: undefined as never,
        tokens: f.tokens,
        insights: undefined as never,
        measurements: f.measurer,
        timelines: undefined as never,
        sessions: undefined as never,
        changes: f.changes,
        clock: f.clock,
      },
      { validateResponses: true, docs: false },
    );
    server.get(
      '/misfit',
      { config: { scope: 'public' }, schema: { response: { 200: z.strictObject({ n: z.number() }) } } },
      () => ({ n: 'one' }),
    );
    const answer = await server.inject({ method: 'GET', url: '/misfit' });
    expect(answer.statusCode).toBe(500);
    expect(answer.json()).toMatchObject({ code: 'INTERNAL' });
    await server.close();
  });

  it('checks the real answers of the fixture: a listing fits Page<Application>', async () => {
    await f.server.inject({
      method: 'POST',
      url: '/api/v1/applications',
      headers: bearer(f.adminSecret),
      payload: { clusterId: 'local', jobId: 'contract', appId: 'contract-1' },
    });
    const listed = await f.server.inject({
      method: 'GET',
      url: '/api/v1/applications',
      headers: bearer(f.adminSecret),
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((a: { id: string }) => a.id)).toContain('contract-1');
  });
});
