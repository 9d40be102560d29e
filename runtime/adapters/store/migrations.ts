/**
 * Schema migrations, defined in code and applied in name order by Kysely's Migrator, which records
 * them in kysely_migration and holds a lock while it runs (so two replicas starting together on
 * PostgreSQL do not both migrate). Never edit a released migration: add the next one.
 */
import { Migrator, sql, type Kysely, type Migration, type SqlBool } from 'kysely';
import type { DialectCodec } from './dialect';
import { coveringSpendIndexes } from './migration-0007-spend-covering';
import { joblessApplications } from './migration-0009-sessions';
import { retries } from './migration-0011-retries';
import { dailySpend } from './migration-0013-daily-spend';
import { unfinishedFailures } from './migration-0015-unfinished-failures';
import { spendRollups } from './migration-0016-spend-rollups';

function initialSchema(codec: DialectCodec): Migration {
  const json = codec.jsonType;
  const time = codec.timestampType;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('applications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('cluster_id', 'text', (c) => c.notNull())
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('state_reason', 'text')
        .addColumn('submission_source', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('idempotency_key', 'text')
        .addColumn('config_template_id', 'text')
        .addColumn('config_overrides', json, (c) => c.notNull())
        .addColumn('config', json, (c) => c.notNull())
        .addColumn('provenance', json, (c) => c.notNull())
        .addColumn('backend_ref', 'text')
        .addColumn('metrics', json)
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .addColumn('started_at', time)
        .addColumn('ended_at', time)
        // NULL keys never collide, so applications without a key are unconstrained
        .addUniqueConstraint('applications_cluster_idempotency_key', ['cluster_id', 'idempotency_key'])
        .execute();
      // every listing is newest first, (created_at, id) descending, optionally narrowed by one of these
      await db.schema.createIndex('applications_created').on('applications').columns(['created_at', 'id']).execute();
      for (const column of ['cluster_id', 'job_id', 'state']) {
        await db.schema
          .createIndex(`applications_${column}_created`)
          .on('applications')
          .columns([column, 'created_at', 'id'])
          .execute();
      }

      await db.schema
        .createTable('app_labels')
        .addColumn('app_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('app_labels_pk', ['app_id', 'key'])
        .execute();
      await db.schema
        .createIndex('app_labels_key_value')
        .on('app_labels')
        .columns(['key', 'value', 'app_id'])
        .execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('cluster_id', 'text', (c) => c.notNull())
        .addColumn('spec', json, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_cluster_id').on('jobs').columns(['cluster_id', 'id']).execute();

      await db.schema
        .createTable('config_templates')
        .addColumn('cluster_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('config', json, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('config_templates_pk', ['cluster_id', 'id'])
        .execute();

      await db.schema
        .createTable('clusters')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('backend', 'text', (c) => c.notNull())
        .addColumn('settings', json, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
        .addColumn('scopes', json, (c) => c.notNull())
        .addColumn('cluster_ids', json)
        .addColumn('job_ids', json)
        .addColumn('template_ids', json)
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('revoked_at', time)
        .execute();
    },
  };
}

/** Which runtime replica acts on each application, and the replicas' heartbeats (Store.claimApplications). */
function replicaOwnership(codec: DialectCodec): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('applications').addColumn('owner_id', 'text').execute();
      // timeouts are swept over the active applications of one owner
      await db.schema
        .createIndex('applications_owner_state')
        .on('applications')
        .columns(['owner_id', 'state'])
        .execute();
      await db.schema
        .createTable('replicas')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('heartbeat_at', codec.timestampType, (c) => c.notNull())
        .addColumn('started_at', codec.timestampType, (c) => c.notNull())
        .execute();
    },
  };
}

/** A kill or time-out under way, so that any replica records the end it causes as such. */
function stopRequest(codec: DialectCodec): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('applications').addColumn('stop_request', codec.jsonType).execute();
    },
  };
}

/** Admission: why a queued application waits, and when it was let through. */
function admission(codec: DialectCodec): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('applications').addColumn('pending_reason', 'text').execute();
      await db.schema.alterTable('applications').addColumn('admitted_at', codec.timestampType).execute();
    },
  };
}

/** How a cluster is shown, and the hosted Ocean cluster it replaces. */
function clusterNames(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('clusters').addColumn('display_name', 'text').execute();
      await db.schema.alterTable('clusters').addColumn('ocean_cluster_id', 'text').execute();
    },
  };
}

/** SQL reading a JSON column's member as text, e.g. metrics.cost.currency. */
function jsonText(codec: DialectCodec, column: string, path: string[]): string {
  if (codec.kind === 'sqlite') return `json_extract(${column}, '$.${path.join('.')}')`;
  const parents = path
    .slice(0, -1)
    .map((key) => `->'${key}'`)
    .join('');
  return `(${column}${parents}->>'${path[path.length - 1]}')`;
}

function jsonNumber(codec: DialectCodec, column: string, path: string[]): string {
  return codec.kind === 'sqlite' ? jsonText(codec, column, path) : `${jsonText(codec, column, path)}::double precision`;
}

/**
 * What the dashboards need: the application's type and applied tuning changes, the figures of its
 * metrics and the cores it asks for as columns (sorted, filtered and summed in SQL, with indexes),
 * backfilled from the stored JSON; a cluster's region.
 */
function dashboards(codec: DialectCodec): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const number = codec.kind === 'sqlite' ? 'real' : 'double precision';
      const columns: [string, 'text' | 'real' | 'double precision' | 'jsonb'][] = [
        ['tuning_changes', codec.jsonType],
        ['cost', number],
        ['currency', 'text'],
        ['core_seconds', number],
        ['duration_ms', number],
        ['input_bytes', number],
        ['output_bytes', number],
        ['task_ms', number],
      ];
      // SQLite adds one column per ALTER TABLE
      await db.schema
        .alterTable('applications')
        .addColumn('type', 'text', (c) => c.notNull().defaultTo('batch'))
        .execute();
      await db.schema
        .alterTable('applications')
        .addColumn('requested_cores', number, (c) => c.notNull().defaultTo(0))
        .execute();
      for (const [name, type] of columns) await db.schema.alterTable('applications').addColumn(name, type).execute();
      await db.schema.alterTable('clusters').addColumn('region', 'text').execute();

      const table = db.withTables<{ applications: Record<string, unknown> }>();
      await table
        .updateTable('applications')
        .set({
          cost: sql.raw(jsonNumber(codec, 'metrics', ['cost', 'total'])),
          currency: sql.raw(jsonText(codec, 'metrics', ['cost', 'currency'])),
          core_seconds: sql.raw(jsonNumber(codec, 'metrics', ['executorCoreSeconds'])),
          duration_ms: sql.raw(jsonNumber(codec, 'metrics', ['durationMs'])),
          input_bytes: sql.raw(jsonNumber(codec, 'metrics', ['inputBytes'])),
          output_bytes: sql.raw(jsonNumber(codec, 'metrics', ['outputBytes'])),
          task_ms: sql.raw(jsonNumber(codec, 'metrics', ['executorRunTimeMs'])),
        })
        .where(sql.ref('metrics'), 'is not', null)
        .execute();
      // as requestedCores() in the domain: Spark's defaults for what the config leaves out
      const cores = (path: string, fallback: number) =>
        `coalesce(${jsonNumber(codec, 'config', path.split('.'))}, ${fallback})`;
      await table
        .updateTable('applications')
        .set({
          requested_cores: sql.raw(
            `${cores('driver.cores', 1)} + ${cores('executor.instances', 2)} * ${cores('executor.cores', 1)}`,
          ),
        })
        .execute();

      // the costs and cluster pages: applications ended in a range, summed without reading the rows
      await db.schema
        .createIndex('applications_ended_spend')
        .on('applications')
        .columns(['ended_at', 'cluster_id', 'job_id', 'user_id', 'state', 'cost', 'core_seconds', 'duration_ms'])
        .execute();
      await db.schema
        .createIndex('applications_cluster_ended')
        .on('applications')
        .columns(['cluster_id', 'ended_at'])
        .execute();
      await db.schema
        .createIndex('applications_user_created')
        .on('applications')
        .columns(['user_id', 'created_at', 'id'])
        .execute();
      // the Applications page: the first page of a list sorted by any key, alone or within a cluster and state
      for (const key of ['created_at', 'started_at', 'duration_ms', 'cost', 'core_seconds']) {
        if (key !== 'created_at') {
          await db.schema.createIndex(`applications_by_${key}`).on('applications').columns([key, 'id']).execute();
        }
        await db.schema
          .createIndex(`applications_cluster_state_${key}`)
          .on('applications')
          .columns(['cluster_id', 'state', key, 'id'])
          .execute();
      }
    },
  };
}

/**
 * Where an ended application's measurement stands (Measurement as JSON, its state as a column to
 * find those still to measure). Ended applications are backfilled: measured when they have metrics,
 * skipped when they never started, failed otherwise (measuring them again is an admin's call).
 */
function measurement(codec: DialectCodec): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('applications').addColumn('measurement', codec.jsonType).execute();
      await db.schema.alterTable('applications').addColumn('measurement_state', 'text').execute();
      const table = db.withTables<{ applications: Record<string, unknown> }>();
      const backfill = async (state: string, reason: string | undefined, where: string) => {
        const measurement = JSON.stringify({
          state,
          ...(reason ? { reason } : {}),
          attempts: state === 'skipped' ? 0 : 1,
        });
        await table
          .updateTable('applications')
          .set({ measurement: sql`${measurement}`, measurement_state: state })
          .where(
            sql.raw<SqlBool>(
              `state in ('COMPLETED', 'COMPLETED_WITH_WARNINGS', 'FAILED', 'KILLED', 'TIMED_OUT') and ${where}`,
            ),
          )
          .execute();
      };
      await backfill('measured', undefined, 'metrics is not null');
      await backfill(
        'skipped',
        'the application never started: there is no event log to read',
        'metrics is null and started_at is null',
      );
      await backfill(
        'failed',
        'it ended before the runtime recorded measurements, without metrics; POST /api/v1/applications/{id}/measure reads its event log again',
        'metrics is null and started_at is not null',
      );
      await db.schema
        .createIndex('applications_measurement_state')
        .on('applications')
        .columns(['measurement_state', 'state', 'ended_at'])
        .execute();
    },
  };
}

/** The tuner's prediction for each tuned run (Prediction as JSON), to compare with what it measured. */
function predictions(codec: DialectCodec): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('applications').addColumn('prediction', codec.jsonType).execute();
    },
  };
}

/**
 * Where each session's server answers and its last request, so that any replica's relays route to
 * it and whichever replica sweeps enforces its idle time-out (migration 0012).
 */
function sessionState(codec: DialectCodec): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('session_state')
        .addColumn('app_id', 'text', (c) => c.primaryKey())
        .addColumn('last_activity_at', codec.timestampType)
        .addColumn('connect_host', 'text')
        .addColumn('connect_port', 'integer')
        .execute();
    },
  };
}

/** All migrations, by name; names sort in the order they apply. */
export function storeMigrations(codec: DialectCodec): Record<string, Migration> {
  return {
    '0001_initial': initialSchema(codec),
    '0002_replica_ownership': replicaOwnership(codec),
    '0003_stop_request': stopRequest(codec),
    '0004_cluster_names': clusterNames(),
    '0005_dashboards': dashboards(codec),
    '0006_measurement': measurement(codec),
    '0007_spend_covering': coveringSpendIndexes(codec),
    '0008_admission': admission(codec),
    '0009_sessions': joblessApplications(codec),
    '0010_predictions': predictions(codec),
    '0011_retries': retries(codec),
    '0012_session_state': sessionState(codec),
    '0013_daily_spend': dailySpend(codec),
    '0015_unfinished_failures': unfinishedFailures(),
    '0016_spend_rollups': spendRollups(codec),
  };
}

/** Applies pending migrations; returns the names it applied (none when the schema is current). */
export async function migrateToLatest(db: Kysely<unknown>, codec: DialectCodec): Promise<string[]> {
  const migrations = storeMigrations(codec);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error !== undefined) {
    const where = failed ? ` in migration ${failed.migrationName}` : '';
    throw new Error(
      `store schema migration failed${where}: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
