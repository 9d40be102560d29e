import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, ERROR_CODES } from '../domain/errors';
import { ApiError } from './client';
import { errorLines, exitCodeOf, UsageError } from './errors';

describe('exitCodeOf', () => {
  it("is the catalogue's exit code of the problem's code, for every code", () => {
    for (const code of ERROR_CODES)
      expect(exitCodeOf(new ApiError(ERROR_CATALOGUE[code].status, code, ['x']))).toBe(ERROR_CATALOGUE[code].exitCode);
  });

  it('gives the documented codes: 2 invalid, 3 not found, 4 unauthenticated or forbidden, 5 conflict, 6 unreachable', () => {
    expect(exitCodeOf(new ApiError(400, 'VALIDATION_FAILED', ['x']))).toBe(2);
    expect(exitCodeOf(new ApiError(404, 'RESOURCE_NOT_FOUND', ['x']))).toBe(3);
    expect(exitCodeOf(new ApiError(401, 'UNAUTHENTICATED', ['x']))).toBe(4);
    expect(exitCodeOf(new ApiError(403, 'FORBIDDEN', ['x']))).toBe(4);
    expect(exitCodeOf(new ApiError(409, 'INVALID_STATE_TRANSITION', ['x']))).toBe(5);
    expect(exitCodeOf(new ApiError(0, 'BACKEND_UNAVAILABLE', ['x']))).toBe(6);
  });

  it('maps an answer without a known code by its status (a proxy in front of the API)', () => {
    expect(exitCodeOf(new ApiError(404, undefined, ['x']))).toBe(3);
    expect(exitCodeOf(new ApiError(502, undefined, ['x']))).toBe(6);
    expect(exitCodeOf(new ApiError(401, 'NOT_A_CODE' as never, ['x']))).toBe(4);
  });

  it('is 2 for a usage error found before asking the API, 6 for anything unexpected', () => {
    expect(exitCodeOf(new UsageError('--set "x" is not of the form path=value'))).toBe(2);
    expect(exitCodeOf(new TypeError('bug'))).toBe(6);
  });
});

describe('errorLines', () => {
  it('prints each message of the answer once', () => {
    const error = new ApiError(400, 'VALIDATION_FAILED', ['executor.memory: "8gigs" is not...', 'jobId: is required']);
    expect(errorLines(error, { tokenSent: true })).toEqual([
      'error: executor.memory: "8gigs" is not...',
      'error: jobId: is required',
    ]);
  });

  it("tells where the demo's admin token is when no token was sent", () => {
    const error = new ApiError(401, 'UNAUTHENTICATED', ['no bearer token']);
    expect(errorLines(error, { tokenSent: false })).toEqual([
      "error: no API token: pass --token or set SPARKPLANE_TOKEN (the demo's admin token: export SPARKPLANE_TOKEN=$(cat data/admin-token))",
    ]);
    // a token that was sent and refused: the API's own message
    expect(
      errorLines(new ApiError(401, 'UNAUTHENTICATED', ['the bearer token is unknown']), { tokenSent: true }),
    ).toEqual(['error: the bearer token is unknown']);
  });
});
