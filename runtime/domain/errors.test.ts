import { describe, expect, it } from 'vitest';
import { DomainError, ERROR_CATALOGUE, ERROR_CODES, httpStatusOf, notFound } from './errors';

describe('error catalogue', () => {
  it('maps every code to a 4xx or 5xx status', () => {
    for (const code of ERROR_CODES) expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
    expect(ERROR_CATALOGUE.RESOURCE_NOT_FOUND.status).toBe(404);
    expect(ERROR_CATALOGUE.VALIDATION_FAILED.status).toBe(400);
  });

  it('gives every code a CLI exit code above 1 (0 and 1 are the outcomes of a run)', () => {
    for (const code of ERROR_CODES) expect(ERROR_CATALOGUE[code].exitCode).toBeGreaterThan(1);
  });

  it('words not-found errors like the hosted product', () => {
    const error = notFound('cluster', 'prod-1');
    expect(error).toBeInstanceOf(DomainError);
    expect(error.status).toBe(404);
    expect(error.message).toBe("Couldn't find cluster with ID: prod-1");
  });
});
