/** Opaque page cursors: base64url of the JSON sort key of the last item served. */
import { DomainError } from '../../domain/errors';

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor with `length` parts, or throws VALIDATION_FAILED naming `cursor`. */
export function decodeCursor(cursor: string, length: number): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== length || !key.every((part) => typeof part === 'string')) {
    throw new DomainError('VALIDATION_FAILED', `cursor "${cursor}" is not a cursor returned by a previous page`, [
      { path: 'cursor', message: `"${cursor}" is not a cursor returned by a previous page` },
    ]);
  }
  return key as string[];
}

/** Page sizes are positive integers; anything else is the caller's bug, reported as bad input. */
export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new DomainError('VALIDATION_FAILED', `limit ${limit} is not a positive integer`, [
      { path: 'limit', message: `${limit} is not a positive integer` },
    ]);
  }
}
