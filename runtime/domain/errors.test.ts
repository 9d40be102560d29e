import { describe, expect, it } from 'vitest';
import { DomainError, ERROR_CODES, ERROR_STATUS, httpStatusOf, notFound } from './errors';

describe('error catalogue', () => {
  it('maps every code to a 4xx or 5xx status', () => {
    for (const code of ERROR_CODES) expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
    expect(ERROR_STATUS.RESOURCE_NOT_FOUND).toBe(404);
    expect(ERROR_STATUS.VALIDATION_FAILED).toBe(400);
  });

  it('words not-found errors like the hosted product', () => {
    const error = notFound('cluster', 'prod-1');
    expect(error).toBeInstanceOf(DomainError);
    expect(error.status).toBe(404);
    expect(error.message).toBe("Couldn't find cluster with ID: prod-1");
  });
});
