/**
 * Isolated PostgreSQL databases for integration tests: each call creates a fresh database on the
 * server named by SPARKPLANE_TEST_DATABASE_URL (a role allowed to CREATE DATABASE) and drops it
 * afterwards, so runs never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** postgres:// URL of the fresh database. */
  url: string;
  name: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** The server URL from the environment, or a clear error saying how to get one. */
export function testDatabaseUrl(): string {
  const url = process.env.SPARKPLANE_TEST_DATABASE_URL;
  if (url === undefined || url === '') {
    throw new Error(
      'SPARKPLANE_TEST_DATABASE_URL is not set: export a postgres:// URL of a PostgreSQL server whose role may ' +
        'CREATE DATABASE (`. .sparkplane/env.sh` sets it for the local test server)',
    );
  }
  return url;
}

async function withAdmin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(prefix = 'sparkplane_test'): Promise<TestDatabase> {
  const serverUrl = testDatabaseUrl();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  // identifiers cannot be bound as parameters; the name is ours and made of [a-z0-9_]
  await withAdmin(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      await withAdmin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
