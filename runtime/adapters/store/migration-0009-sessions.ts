/**
 * Migration 0009: an application may belong to no job (a session, a notebook), so job_id becomes
 * nullable. PostgreSQL drops the constraint in place. SQLite cannot alter a column: the table is
 * rebuilt from its own stored definition (every column added since 0001 included) without the NOT
 * NULL, its indexes re-created from theirs. Dropping the old table would cascade to app_labels
 * (foreign keys are on, and cannot be turned off inside the migration's transaction), so the labels
 * are set aside first and put back after.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectCodec } from './dialect';

interface SchemaRow {
  type: string;
  name: string;
  sql: string | null;
}

const NOT_NULL_JOB_ID = /("job_id"\s+text)\s+not\s+null/i;

async function rebuildSqliteApplications(db: Kysely<unknown>): Promise<void> {
  const { rows } =
    await sql<SchemaRow>`select type, name, sql from sqlite_master where tbl_name = 'applications'`.execute(db);
  const table = rows.find((row) => row.type === 'table');
  if (!table?.sql || !NOT_NULL_JOB_ID.test(table.sql)) {
    throw new Error(`applications table definition has no "job_id" text not null column: ${table?.sql ?? 'no table'}`);
  }
  // autoindexes (the unique constraint) have no SQL: the new table's definition makes them again
  const indexes = rows.filter((row) => row.type === 'index' && row.sql !== null).map((row) => row.sql!);
  const created = table.sql
    .replace(NOT_NULL_JOB_ID, '$1')
    .replace(/^create table\s+("?)applications\1/i, 'create table "applications_0009"');
  await sql`create temporary table app_labels_0009 as select * from app_labels`.execute(db);
  await sql.raw(created).execute(db);
  await sql`insert into applications_0009 select * from applications`.execute(db);
  await sql`drop table applications`.execute(db);
  await sql`alter table applications_0009 rename to applications`.execute(db);
  for (const index of indexes) await sql.raw(index).execute(db);
  await sql`insert into app_labels select * from app_labels_0009`.execute(db);
  await sql`drop table app_labels_0009`.execute(db);
}

export function joblessApplications(codec: DialectCodec): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (codec.kind === 'postgres') {
        await sql`alter table applications alter column job_id drop not null`.execute(db);
        return;
      }
      await rebuildSqliteApplications(db);
    },
  };
}
