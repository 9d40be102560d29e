/** What differs between SQLite and PostgreSQL, in one place: column types and how values come back. */
import { DomainError } from '../../domain/errors';

export type DialectKind = 'sqlite' | 'postgres';

export interface DialectCodec {
  readonly kind: DialectKind;
  /** Column type of JSON documents. */
  readonly jsonType: 'text' | 'jsonb';
  /** Column type of instants. */
  readonly timestampType: 'text' | 'timestamptz';
  /** A JSON column as read: text on SQLite, already parsed by pg on PostgreSQL. */
  readJson<T>(value: unknown): T;
  /** A timestamp column as read: ISO text on SQLite, a Date from pg on PostgreSQL. */
  readTime(value: string | Date): string;
}

export const sqliteCodec: DialectCodec = {
  kind: 'sqlite',
  jsonType: 'text',
  timestampType: 'text',
  readJson: <T>(value: unknown) => JSON.parse(value as string) as T,
  readTime: (value) => (typeof value === 'string' ? value : value.toISOString()),
};

export const postgresCodec: DialectCodec = {
  kind: 'postgres',
  jsonType: 'jsonb',
  timestampType: 'timestamptz',
  readJson: <T>(value: unknown) => value as T,
  readTime: (value) => (typeof value === 'string' ? new Date(value).toISOString() : value.toISOString()),
};

export function writeJson(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * Every instant is written as `Date#toISOString()` (UTC, milliseconds), so that on SQLite text
 * order is time order and a cursor round-trips exactly on both dialects.
 */
export function writeTime(iso: string, field: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    throw new DomainError('VALIDATION_FAILED', `${field} "${iso}" is not an ISO 8601 timestamp`, [
      { path: field, message: `"${iso}" is not an ISO 8601 timestamp` },
    ]);
  }
  return date.toISOString();
}
