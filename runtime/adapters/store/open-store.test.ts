import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors';
import { openStore, parseDatabaseUrl, redactDatabaseUrl } from './open-store';

describe('parseDatabaseUrl', () => {
  it.each([
    ['postgres://u:p@db:5432/sparkplane', { kind: 'postgres', url: 'postgres://u:p@db:5432/sparkplane' }],
    ['postgresql://db/sparkplane', { kind: 'postgres', url: 'postgresql://db/sparkplane' }],
    ['sqlite:data/sparkplane.db', { kind: 'sqlite', path: 'data/sparkplane.db' }],
    ['sqlite:///var/lib/sparkplane.db', { kind: 'sqlite', path: '/var/lib/sparkplane.db' }],
    ['sqlite::memory:', { kind: 'sqlite', path: ':memory:' }],
    [':memory:', { kind: 'sqlite', path: ':memory:' }],
    ['/tmp/x/sparkplane.db', { kind: 'sqlite', path: '/tmp/x/sparkplane.db' }],
    ['relative.db', { kind: 'sqlite', path: 'relative.db' }],
  ])('reads %s', (url, expected) => {
    expect(parseDatabaseUrl(url)).toEqual(expected);
  });

  it.each(['mysql://root:hunter2@db/x', '', 'sqlite:'])('rejects %j naming the URL without its password', (url) => {
    let error: unknown;
    try {
      parseDatabaseUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('VALIDATION_FAILED');
    expect((error as DomainError).issues[0]?.path).toBe('databaseUrl');
    expect((error as DomainError).message).not.toContain('hunter2');
  });
});

describe('redactDatabaseUrl', () => {
  it('hides the password only', () => {
    expect(redactDatabaseUrl('postgres://sparkplane:s3cr:et@127.0.0.1:55432/db')).toBe(
      'postgres://sparkplane:***@127.0.0.1:55432/db',
    );
    expect(redactDatabaseUrl('postgres://127.0.0.1/db')).toBe('postgres://127.0.0.1/db');
  });
});

describe('openStore on :memory:', () => {
  it('migrates a fresh database once and serves reads at once', async () => {
    const store = await openStore(':memory:');
    try {
      expect(store.kind).toBe('sqlite');
      expect(await store.migrate()).toEqual([]);
      expect(await store.listClusters()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('names the server, not the password, when PostgreSQL cannot be reached', async () => {
    // port 1 on loopback refuses at once
    const failure = openStore('postgres://u:hunter2@127.0.0.1:1/none', { poolSize: 1 });
    await expect(failure).rejects.toThrow(/cannot open the store at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/none/);
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });
});
