import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors';
import type { Executor, StatementResult } from './statements';
import { FaultReportingExecutor, storeFaultCause } from './store-faults';

const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('storeFaultCause', () => {
  it("names the store's own failures, SQLite's and PostgreSQL's", () => {
    expect(storeFaultCause(withCode('SQLITE_FULL'))).toBe('the disk holding the database is full (SQLITE_FULL)');
    expect(storeFaultCause(withCode('SQLITE_READONLY_DBMOVED'))).toMatch(/read-only \(SQLITE_READONLY_DBMOVED\)/);
    expect(storeFaultCause(withCode('SQLITE_IOERR_WRITE'))).toMatch(/fails to read or write/);
    expect(storeFaultCause(withCode('57P01'))).toMatch(/shutting down or restarting \(57P01\)/);
    expect(storeFaultCause(withCode('53100'))).toMatch(/out of resources/);
    expect(storeFaultCause(withCode('ECONNREFUSED'))).toMatch(/refuses connections/);
    expect(storeFaultCause(new Error('Connection terminated unexpectedly'))).toMatch(/connection was lost/);
    // as the writers wrap what the driver threw
    const wrapped = new Error('the PostgreSQL write transaction was interrupted', { cause: withCode('57P01') });
    expect(storeFaultCause(wrapped)).toMatch(/shutting down or restarting \(57P01\)/);
  });

  it('leaves a bad statement or a constraint alone', () => {
    expect(storeFaultCause(withCode('SQLITE_CONSTRAINT_PRIMARYKEY'))).toBeUndefined();
    expect(storeFaultCause(withCode('23505'))).toBeUndefined();
    expect(storeFaultCause(withCode('42P01'))).toBeUndefined();
    expect(storeFaultCause(new Error('syntax error'))).toBeUndefined();
    expect(storeFaultCause(undefined)).toBeUndefined();
  });
});

describe('FaultReportingExecutor', () => {
  it('answers STORE_UNAVAILABLE with the cause and remembers it until a write lands', async () => {
    let next: Error | undefined = withCode('SQLITE_FULL', 'database or disk is full');
    const inner: Executor = {
      read: async () => [],
      write: async (): Promise<StatementResult[]> => {
        if (next) throw next;
        return [{ rows: [], changes: 1 }];
      },
      close: async () => undefined,
    };
    const executor = new FaultReportingExecutor(inner);
    const refused = await executor.write([{ sql: 'insert', parameters: [] }]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 });
    expect((refused as Error).message).toBe(
      'the store cannot write: the disk holding the database is full (SQLITE_FULL)',
    );
    expect(executor.lastFault?.cause).toMatch(/disk holding the database is full/);

    // a statement's own error passes unchanged and is no fault of the store
    next = withCode('SQLITE_CONSTRAINT_UNIQUE');
    await expect(executor.write([{ sql: 'insert', parameters: [] }])).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    });
    expect(executor.lastFault).toBeDefined();

    next = undefined;
    await executor.write([{ sql: 'insert', parameters: [] }]);
    expect(executor.lastFault).toBeUndefined();
  });
});
