/**
 * Where Spark event logs live in a cluster's object storage: one directory that every application
 * of the Kubernetes back-end writes to (rolling logs, `eventlog_v2_<sparkAppId>/`), that the Spark
 * History Server lists (it reads only the entries directly in its log directory), and that the
 * bucket's lifecycle rule and IAM grants name. One definition, so the three cannot drift apart.
 */

/** Key prefix of the event-log directory inside the bucket. */
export const EVENT_LOG_PREFIX = 'eventlogs';

/** The event-log directory of a bucket URL such as "s3a://bucket" or "gs://bucket/spark". */
export function eventLogRoot(bucketUrl: string): string {
  return `${bucketUrl.replace(/\/+$/, '')}/${EVENT_LOG_PREFIX}`;
}

/** The rolling event-log directory Spark writes for one application (spark.eventLog.rolling.enabled). */
export function rollingEventLogDir(bucketUrl: string, sparkAppId: string): string {
  return `${eventLogRoot(bucketUrl)}/eventlog_v2_${sparkAppId}`;
}
