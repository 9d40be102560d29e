/**
 * One event-log reader for every place a back-end reports: local paths and file: URIs go to the
 * local reader, s3a:// and s3:// to S3, gs:// to Google Cloud Storage. Clients are built on first use.
 */
import type { RunMetrics } from '../../domain/metrics';
import type { EventLogParseOptions } from '../../metrics/event-log-parser';
import { readRunMetrics } from '../eventlog/read-event-log';
import { describeEventLog, eventLogDirPath, type EventLogLocation } from '../eventlog/event-log-files';
import { EventLogNotFoundError, locateObjectEventLog, readObjectRunMetrics } from './object-event-log';
import type { ObjectStore } from './object-store';
import { isObjectUrl, type ObjectScheme, parseObjectUrl } from './object-url';
import { GcsObjectStore, type GcsStoreOptions } from './gcs-object-store';
import { S3ObjectStore, type S3StoreOptions } from './s3-object-store';

export interface EventLogReaderOptions {
  /** Settings of the S3 client (see s3OptionsFromEnv). @default the SDK's defaults */
  s3?: S3StoreOptions;
  /** Settings of the GCS client. @default Application Default Credentials, Google's endpoint */
  gcs?: GcsStoreOptions;
  /** Stores to use instead of building them, by scheme (tests, other S3-compatible clients). @default none */
  stores?: Partial<Record<ObjectScheme, ObjectStore>>;
}

export interface EventLogReader {
  /** The metrics of the event log at `path`: a local path, a file: URI, or an s3a://, s3:// or gs:// URL. */
  read(path: string, options?: EventLogParseOptions): Promise<RunMetrics>;
  /** The files of the event log at `path` (as `read` takes it) as they are now; undefined when there is none. */
  locate(path: string): Promise<EventLogLocation | undefined>;
  /** Releases the connections of the stores it built. */
  close(): void;
}

export function createEventLogReader(options: EventLogReaderOptions = {}): EventLogReader {
  const stores = new Map<ObjectScheme, ObjectStore>(
    Object.entries(options.stores ?? {}) as [ObjectScheme, ObjectStore][],
  );
  const built: ObjectStore[] = [];
  const storeOf = (scheme: ObjectScheme): ObjectStore => {
    const existing = stores.get(scheme);
    if (existing) return existing;
    const store = scheme === 'gs' ? new GcsObjectStore(options.gcs) : new S3ObjectStore(options.s3);
    stores.set(scheme, store);
    built.push(store);
    return store;
  };
  return {
    async read(path, parseOptions = {}) {
      if (!isObjectUrl(path)) {
        return readRunMetrics(path.startsWith('file:') ? eventLogDirPath(path) : path, parseOptions);
      }
      return readObjectRunMetrics(storeOf(parseObjectUrl(path).scheme), path, parseOptions);
    },
    async locate(path) {
      try {
        if (!isObjectUrl(path)) return await describeEventLog(path.startsWith('file:') ? eventLogDirPath(path) : path);
        return await locateObjectEventLog(storeOf(parseObjectUrl(path).scheme), path);
      } catch (error) {
        if (error instanceof EventLogNotFoundError || (error as NodeJS.ErrnoException).code === 'ENOENT')
          return undefined;
        throw error;
      }
    },
    close() {
      for (const store of built) store.close();
    },
  };
}
