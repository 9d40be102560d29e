/** RFC 9457 problem documents of the native API (shape in runtime/domain/problem.ts). */
import { ERROR_CATALOGUE, type DomainError } from '../../domain/errors';
import type { Problem } from '../../domain/problem';

export function problemOf(error: DomainError, instance: string): Problem {
  return {
    type: `https://sparkplane.dev/problems/${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: ERROR_CATALOGUE[error.code].title,
    status: error.status,
    detail: error.message,
    instance,
    code: error.code,
    errors: error.issues.map((i) => ({ path: i.path, message: i.message })),
  };
}
