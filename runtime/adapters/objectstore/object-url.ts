/** Object-storage URLs as Spark writes them in spark.eventLog.dir: s3a://, s3:// and gs://. */

export type ObjectScheme = 's3' | 'gs';

export interface ObjectUrl {
  /** s3 for s3a:// and s3:// (the same store), gs for gs://. */
  scheme: ObjectScheme;
  bucket: string;
  /** The key or prefix, without leading or trailing slashes ("" for the bucket's root). */
  key: string;
  /** The URL as given, for messages. */
  url: string;
}

const SCHEMES: Record<string, ObjectScheme> = { 's3a:': 's3', 's3:': 's3', 'gs:': 'gs' };

/** True when `path` names object storage rather than a local file or file: URI. */
export function isObjectUrl(path: string): boolean {
  return /^(s3a?|gs):\/\//i.test(path);
}

/** Parses an object-storage URL; throws naming the value and the expected form. */
export function parseObjectUrl(url: string): ObjectUrl {
  const match = /^([a-z0-9]+:)\/\/([^/]+)(\/.*)?$/i.exec(url);
  const scheme = match ? SCHEMES[match[1]!.toLowerCase()] : undefined;
  if (!match || !scheme) {
    throw new Error(
      `event log location ${JSON.stringify(url)} is not an object-storage URL such as "s3a://bucket/prefix" or "gs://bucket/prefix"`,
    );
  }
  return { scheme, bucket: match[2]!, key: (match[3] ?? '').replace(/^\/+|\/+$/g, ''), url };
}
