/**
 * The two things the event-log reader needs from an object store, so S3, GCS and the in-memory
 * fake of the unit tests are interchangeable.
 */

export interface StoredObject {
  /** Full key in the bucket. */
  key: string;
  sizeBytes: number;
  /** Last modification, epoch ms. */
  lastModifiedMs: number;
}

export interface ObjectStore {
  /** Every object whose key starts with `prefix`, in key order, page after page. */
  list(bucket: string, prefix: string): AsyncIterable<StoredObject>;
  /** The bytes of one object as they arrive; returning early releases the connection. */
  read(bucket: string, key: string): AsyncGenerator<Uint8Array, void, undefined>;
  /** Releases connections. */
  close(): void;
}

/** The store cannot be listed or read (no bucket, no permission, unreachable): names the URL and the cause. */
export class ObjectStoreError extends Error {
  constructor(
    readonly url: string,
    readonly operation: 'list' | 'read',
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`cannot ${operation} ${url}: ${detail}`, { cause });
    this.name = 'ObjectStoreError';
  }
}
