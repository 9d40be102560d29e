/**
 * Any error thrown while serving a request, as a DomainError from the one catalogue: Fastify's
 * own errors (body too large, malformed JSON, wrong media type...) are mapped to their codes;
 * anything unexpected becomes INTERNAL without details (the original is logged by the caller).
 */
import { DomainError, type ErrorCode } from '../../domain/errors';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
};

const JSON_ERRORS = new Set(['FST_ERR_CTP_EMPTY_JSON_BODY', 'FST_ERR_CTP_INVALID_JSON_BODY']);

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'RESOURCE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

export interface MappedError {
  error: DomainError;
  /** True when the error was not expected: log it, answer INTERNAL. */
  unexpected: boolean;
}

export function toDomainError(error: unknown, bodyLimitBytes: number): MappedError {
  if (error instanceof DomainError) return { error, unexpected: false };
  const e = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (error instanceof SyntaxError || (typeof e.code === 'string' && JSON_ERRORS.has(e.code))) {
    const message = `(body): is not valid JSON: ${String(e.message)}`;
    return { error: new DomainError('VALIDATION_FAILED', message, [{ path: '(body)', message }]), unexpected: false };
  }
  const code =
    (typeof e.code === 'string' ? FASTIFY_CODES[e.code] : undefined) ??
    (typeof e.statusCode === 'number' ? STATUS_CODES[e.statusCode] : undefined);
  if (code === 'PAYLOAD_TOO_LARGE') {
    return {
      error: new DomainError(code, `the request body is over the limit of ${bodyLimitBytes} bytes`),
      unexpected: false,
    };
  }
  if (code) return { error: new DomainError(code, String(e.message ?? code)), unexpected: false };
  return { error: new DomainError('INTERNAL', 'internal error; the server log has the details'), unexpected: true };
}
