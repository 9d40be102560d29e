export { createEventLogReader, type EventLogReader, type EventLogReaderOptions } from './event-log-reader';
export { GcsObjectStore, gcsOptionsFromEnv, type GcsStoreOptions } from './gcs-object-store';
export { EventLogNotFoundError, locateObjectEventLog, readObjectRunMetrics } from './object-event-log';
export { type ObjectStore, ObjectStoreError, type StoredObject } from './object-store';
export { isObjectUrl, type ObjectScheme, type ObjectUrl, parseObjectUrl } from './object-url';
export { S3ObjectStore, type S3StoreOptions } from './s3-object-store';
export { s3OptionsFromEnv } from './s3-options';
