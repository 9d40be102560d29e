/**
 * Cursors of sorted application lists: the sort they were made for, whether the page ended among
 * the applications that have the key or those without it (listed last), the last key and id.
 */
import type { ApplicationSortKey } from '../../domain/application';
import { DomainError } from '../../domain/errors';
import type { ApplicationSort } from '../../domain/ports';
import { decodeCursor, encodeCursor } from './cursor';
import { writeTime, type DialectCodec } from './dialect';

export const DEFAULT_SORT: ApplicationSort = { key: 'createdAt', order: 'desc' };

/** The keys some applications lack (not started yet, not measured). */
export const NULLABLE_SORT: ReadonlySet<ApplicationSortKey> = new Set(['startedAt', 'duration', 'cost', 'coreHours']);

const TIME_KEYS: ReadonlySet<ApplicationSortKey> = new Set(['createdAt', 'startedAt']);

export interface SortPosition {
  /** "value": among the applications with the key; "null": among those without. */
  phase: 'value' | 'null';
  value: string;
  id: string;
}

function invalid(cursor: string, why: string): DomainError {
  const message = `"${cursor}" ${why}`;
  return new DomainError('VALIDATION_FAILED', `cursor ${message}`, [{ path: 'cursor', message }]);
}

export function encodeSortCursor(sort: ApplicationSort, value: string | null, id: string): string {
  return encodeCursor([sort.key, sort.order, value === null ? 'null' : 'value', value ?? '', id]);
}

/** The position a cursor names; a cursor of another sort or order is refused, naming `cursor`. */
export function decodeSortCursor(cursor: string, sort: ApplicationSort): SortPosition {
  const [key, order, phase, value = '', id = ''] = decodeCursor(cursor, 5);
  if (key !== sort.key || order !== sort.order) {
    throw invalid(cursor, `was made for sort=${key}&order=${order}, not sort=${sort.key}&order=${sort.order}`);
  }
  if (phase !== 'value' && phase !== 'null') throw invalid(cursor, 'is not a cursor returned by a previous page');
  if (phase === 'value') sortValue(sort.key, value, cursor);
  return { phase, value, id };
}

/** A key as the cursor holds it: ISO instants, numbers in their shortest exact form. */
export function sortText(key: ApplicationSortKey, value: unknown, codec: DialectCodec): string {
  return TIME_KEYS.has(key) ? codec.readTime(value as string | Date) : String(Number(value));
}

/** A cursor's key as the query compares it. */
export function sortValue(key: ApplicationSortKey, text: string, cursor = text): string | number {
  if (TIME_KEYS.has(key)) return writeTime(text, 'cursor');
  const number = Number(text);
  if (text === '' || !Number.isFinite(number)) throw invalid(cursor, 'is not a cursor returned by a previous page');
  return number;
}
