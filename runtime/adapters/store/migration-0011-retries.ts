/**
 * Migration 0011: retries and recovery. Each attempt is its own application: its attempt number,
 * the first attempt it retries, when its backoff lets it be admitted, how many earlier attempts
 * retried a refused submission; on a failed one, its classified failure; on a run whose memory
 * out-of-memory recovery raised, by how much and why. The attempts of a run are listed by retry_of.
 */
import type { Kysely, Migration } from 'kysely';
import type { DialectCodec } from './dialect';

export function retries(codec: DialectCodec): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const add = (column: string, type: 'text' | 'integer' | 'jsonb' | 'timestamptz') =>
        db.schema.alterTable('applications').addColumn(column, type).execute();
      await add('attempt', 'integer');
      await add('retry_of', 'text');
      await add('retry_at', codec.timestampType);
      await add('submission_retries', 'integer');
      await add('failure', codec.jsonType);
      await add('memory_recovery', codec.jsonType);
      await db.schema
        .createIndex('applications_retry_of')
        .on('applications')
        .columns(['retry_of', 'created_at', 'id'])
        .execute();
    },
  };
}
