/** RFC 9457 problem documents of the native API: code, title, detail and the field issues. */
import type { DomainError } from '../../domain/errors';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  /** The error code from the catalogue (runtime/domain/errors.ts). */
  code: string;
  /** One entry per invalid field. */
  errors: { path: string; message: string }[];
}

const TITLES: Record<string, string> = {
  VALIDATION_FAILED: 'The request is invalid',
  UNAUTHENTICATED: 'Authentication required',
  FORBIDDEN: 'Forbidden',
  RESOURCE_NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  INVALID_STATE_TRANSITION: 'Invalid state transition',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  INTERNAL: 'Internal error',
};

export function problemOf(error: DomainError, instance: string): Problem {
  return {
    type: `https://sparkplane.dev/problems/${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[error.code] ?? error.code,
    status: error.status,
    detail: error.message,
    instance,
    code: error.code,
    errors: error.issues.map((i) => ({ path: i.path, message: i.message })),
  };
}
