/** A fresh PostgreSQL database per benchmark run, so that no run measures the rows of another. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A fresh database on the server of `serverUrl` (a role that may CREATE DATABASE), dropped by the returned function. */
export async function freshPostgres(
  serverUrl: string,
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  // the name is ours, [a-z0-9_]: safe as an identifier
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
