import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../test/support/memory-store';
import { hashSecret, TokenService } from './token-service';

const clock = { now: () => new Date('2026-03-01T00:00:00Z') };

describe('TokenService', () => {
  it('creates the first admin token once, storing only the hash of its secret', async () => {
    const store = new MemoryStore();
    const tokens = new TokenService({ store, clock });
    const first = await tokens.ensureAdminToken();
    expect(first?.generated).toBe(true);
    expect(first?.secret.length).toBeGreaterThan(40);
    expect(await tokens.ensureAdminToken()).toBeUndefined();
    const [stored] = await store.listTokens();
    expect(stored?.secretHash).toBe(hashSecret(first?.secret ?? ''));
    expect(JSON.stringify(await store.listTokens())).not.toContain(first?.secret);
    expect((await tokens.authenticate(first?.secret ?? ''))?.scopes).toEqual(['admin']);
    expect(await tokens.authenticate('spk_wrong')).toBeUndefined();
  });

  it('takes the admin secret from the environment, once, and refuses a short one', async () => {
    const tokens = new TokenService({ store: new MemoryStore(), clock });
    const fromEnv = 'a-secret-from-the-environment';
    expect(await tokens.ensureAdminToken(fromEnv)).toMatchObject({ secret: fromEnv, generated: false });
    expect(await tokens.ensureAdminToken(fromEnv)).toBeUndefined();
    expect((await tokens.authenticate(fromEnv))?.name).toBe('admin');
    await expect(tokens.ensureAdminToken('short')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('maps the hosted product permission names to scopes and keeps limits', async () => {
    const tokens = new TokenService({ store: new MemoryStore(), clock });
    const created = await tokens.create({
      name: 'team-a',
      scopes: ['spark:createApplication', 'spark:deleteConfigTemplate', 'spark:updateConfigTemplate'],
      templateIds: ['team-a'],
    });
    expect(created.scopes).toEqual(['applications:create', 'templates:manage']);
    expect(await tokens.authenticate(created.secret)).toMatchObject({ name: 'team-a', templateIds: ['team-a'] });
    await tokens.revoke(created.id);
    expect(await tokens.authenticate(created.secret)).toBeUndefined();
  });

  it('trusts a recently authenticated token for authCacheMs: revoked here at once, revoked elsewhere after it', async () => {
    let nowMs = Date.parse('2026-03-01T00:00:00Z');
    const ticking = { now: () => new Date(nowMs) };
    const store = new MemoryStore();
    const here = new TokenService({ store, clock: ticking, authCacheMs: 2000 });
    const first = await here.create({ name: 'a', scopes: ['applications:read'] });
    expect(await here.authenticate(first.secret)).toMatchObject({ name: 'a' });
    await here.revoke(first.id);
    expect(await here.authenticate(first.secret)).toBeUndefined();

    const second = await here.create({ name: 'b', scopes: ['applications:read'] });
    expect(await here.authenticate(second.secret)).toMatchObject({ name: 'b' });
    await store.revokeToken(second.id, new Date(nowMs).toISOString()); // as another replica would
    nowMs += 1000;
    expect(await here.authenticate(second.secret)).toMatchObject({ name: 'b' });
    nowMs += 1500;
    expect(await here.authenticate(second.secret)).toBeUndefined();
  });
});
