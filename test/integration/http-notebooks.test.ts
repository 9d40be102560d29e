/**
 * The Jupyter gateway API's answers that need no kernel: kernelspecs from the templates, bad input
 * (400 naming the field), unknown kernelspecs and kernels (404), token limits, in both APIs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KernelSpecs } from '../../runtime/domain/notebook';
import { type HttpFixture, httpFixture } from './http-fixture';

let f: HttpFixture;
let user: string;
const ocean = '/ocean/spark/cluster/local/notebook';
const native = '/api/v1/clusters/local/notebook';

beforeAll(async () => {
  f = await httpFixture();
  await f.store.putTemplate('local', { id: 'small', config: { driver: { cores: 1, memory: '512m' } } });
  await f.store.putTemplate('local', { id: 'big', config: { driver: { memory: '8g' } } });
  user = await f.token(['applications:create', 'applications:read', 'applications:kill']);
});
afterAll(async () => {
  await f.server.close();
});

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, secret: string, payload?: unknown) =>
  f.server.inject({
    method,
    url,
    headers: { authorization: `token ${secret}` },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

describe('the Jupyter gateway API', () => {
  it('lists one kernelspec per template of the cluster, under both paths, with the Jupyter token scheme', async () => {
    for (const prefix of [ocean, native]) {
      const reply = await call('GET', `${prefix}/api/kernelspecs?user=ana`, user);
      expect(reply.statusCode).toBe(200);
      const specs = reply.json<KernelSpecs>();
      expect(specs.default).toBe('big');
      expect(Object.keys(specs.kernelspecs)).toEqual(['big', 'small']);
    }
    expect((await call('GET', `${ocean}/api/kernelspecs/small`, user)).json()).toMatchObject({ name: 'small' });
    expect((await call('GET', `${ocean}/api/kernelspecs/nope`, user)).statusCode).toBe(404);
    expect((await call('GET', '/ocean/spark/cluster/nowhere/notebook/api/kernelspecs', user)).statusCode).toBe(404);
  });

  it('shows a token limited to a template only that kernelspec', async () => {
    const limited = await f.token(['applications:read'], { templateIds: ['small'] });
    const specs = (await call('GET', `${ocean}/api/kernelspecs`, limited)).json<KernelSpecs>();
    expect(Object.keys(specs.kernelspecs)).toEqual(['small']);
    const refused = await call('POST', `${ocean}/api/kernels`, limited, { name: 'small' });
    expect(refused.statusCode).toBe(403);
  });

  it('answers bad start requests 400 naming the field, and unknown kernelspecs 404', async () => {
    const noName = await call('POST', `${native}/api/kernels`, user, { env: {} });
    expect(noName.statusCode).toBe(400);
    expect(noName.body).toContain('name: is required');

    const badVar = await call('POST', `${native}/api/kernels`, user, { name: 'small', env: { KERNEL_VAR_1A: 'x' } });
    expect(badVar.statusCode).toBe(400);
    expect(badVar.body).toContain('env.KERNEL_VAR_1A');

    const badEnv = await call('POST', `${native}/api/kernels`, user, { name: 'small', env: { KERNEL_VAR_A: 3 } });
    expect(badEnv.statusCode).toBe(400);
    expect(badEnv.body).toContain('env.KERNEL_VAR_A');

    const unknown = await call('POST', `${ocean}/api/kernels`, user, { name: 'nope' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('nope');
  });

  it('knows no kernel it did not start, and refuses requests without a valid token', async () => {
    expect((await call('GET', `${ocean}/api/kernels`, user)).json()).toEqual([]);
    for (const [method, path] of [
      ['GET', '/api/kernels/k-1'],
      ['DELETE', '/api/kernels/k-1'],
      ['POST', '/api/kernels/k-1/interrupt'],
      ['POST', '/api/kernels/k-1/restart'],
      ['GET', '/api/kernels/k-1/channels'],
    ] as const) {
      expect((await call(method, `${ocean}${path}`, user, method === 'POST' ? {} : undefined)).statusCode).toBe(404);
      expect((await call(method, `${ocean}${path}`, 'wrong', method === 'POST' ? {} : undefined)).statusCode).toBe(401);
    }
  });
});
