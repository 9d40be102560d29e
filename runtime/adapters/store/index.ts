/** The durable store: open one with openStore(databaseUrl); everything else is internal. */
export { openStore, parseDatabaseUrl, redactDatabaseUrl } from './open-store';
export type { DatabaseLocation, DurableStore, StoreOptions } from './open-store';
