import { describe, expect, it } from 'vitest';
import { demandOf } from './demand';
import { unfitFields } from './fits';

const LOCAL = { cores: 2, memoryMiB: 8192 };

describe('unfitFields', () => {
  it('accepts what fits, and names each field that never could, with its value and the limit', () => {
    expect(unfitFields('local', demandOf({ executor: { instances: 0 } }), LOCAL)).toEqual([]);
    expect(
      unfitFields('local', demandOf({ driver: { cores: 9007199254740991 }, executor: { instances: 0 } }), LOCAL),
    ).toEqual([
      {
        path: 'driver.cores',
        message: '9007199254740991 cores is more than cluster local holds 2 cores and 8g in all',
      },
    ]);
    const [memoryIssue] = unfitFields('local', demandOf({ executor: { memory: '99999999t', instances: 1 } }), LOCAL);
    expect(memoryIssue?.path).toBe('executor.memory');
    expect(memoryIssue?.message).toMatch(/with its overhead is more than cluster local holds 2 cores and 8g in all$/);
  });

  it('names the executor count when every pod fits but the gang does not', () => {
    const issues = unfitFields('local', demandOf({ executor: { instances: 1_000_000_000 } }), LOCAL);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('executor.instances');
    expect(issues[0]!.message).toMatch(/^1000000000 executors of 1 cores .* need 1000000001 cores/);
  });

  it('leaves out the executors of an application that starts none', () => {
    expect(unfitFields('local', demandOf({ executor: { instances: 0, cores: 64 } }), LOCAL)).toEqual([]);
  });
});
