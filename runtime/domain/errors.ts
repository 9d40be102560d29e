/**
 * The one catalogue of error codes: each code's HTTP status, problem title and CLI exit code.
 * Both APIs, the CLI and the store speak these codes.
 */

/**
 * Every code with its HTTP status, the title of its problem document and the exit code of the CLI
 * (0 success and 1 "the application ended unsuccessfully" are not errors, so they are not here).
 */
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, title: 'The request is invalid', exitCode: 2 },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required', exitCode: 4 },
  FORBIDDEN: { status: 403, title: 'Forbidden', exitCode: 4 },
  RESOURCE_NOT_FOUND: { status: 404, title: 'Not found', exitCode: 3 },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed', exitCode: 2 },
  CONFLICT: { status: 409, title: 'Conflict', exitCode: 5 },
  INVALID_STATE_TRANSITION: { status: 409, title: 'Invalid state transition', exitCode: 5 },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large', exitCode: 2 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', exitCode: 2 },
  RATE_LIMITED: { status: 429, title: 'Too many requests', exitCode: 6 },
  BACKEND_UNAVAILABLE: { status: 503, title: 'Back-end unavailable', exitCode: 6 },
  STORE_UNAVAILABLE: { status: 503, title: 'Store unavailable', exitCode: 6 },
  INTERNAL: { status: 500, title: 'Internal error', exitCode: 6 },
} as const satisfies Record<string, { status: number; title: string; exitCode: number }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]];

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. "executor.memory". */
  path: string;
  message: string;
}

/** An expected failure: carries a code from the catalogue and never a stack to the client. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
}

/**
 * A back-end that could not be reached (its API server down, time-outs, 5xx answers): the same
 * request may succeed later, so a hand-over that meets it is tried again rather than failed.
 */
export class BackendUnreachableError extends DomainError {
  constructor(message: string) {
    super('BACKEND_UNAVAILABLE', message);
    this.name = 'BackendUnreachableError';
  }
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

export function notFound(kind: string, id: string): DomainError {
  return new DomainError('RESOURCE_NOT_FOUND', `Couldn't find ${kind} with ID: ${id}`);
}
