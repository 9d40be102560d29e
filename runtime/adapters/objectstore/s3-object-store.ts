/**
 * An ObjectStore over Amazon S3 (or an S3-compatible store) with the official SDK v3. Credentials
 * come from the SDK's standard chain unless given: environment, EKS Pod Identity, IRSA web
 * identity, shared profile, instance metadata.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore, StoredObject } from './object-store';

export interface S3StoreOptions {
  /**
   * Region the client signs for; a bucket in another region is followed through S3's redirect.
   * @default "us-east-1"
   */
  region?: string;
  /** Endpoint of an S3-compatible store (MinIO, Ceph, a test server). @default AWS's endpoint of the region */
  endpoint?: string;
  /** Path-style addressing (`https://host/bucket/key`), which most S3-compatible stores need. @default true when `endpoint` is set */
  forcePathStyle?: boolean;
  /** Static keys. @default the SDK's standard credential chain */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Keys asked per listing page (S3 answers at most 1000). @default 1000 */
  pageSize?: number;
  /** A request that sends no byte for this long fails (and is retried by the SDK). @default 60 */
  socketTimeoutSeconds?: number;
}

export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly pageSize: number;

  constructor(options: S3StoreOptions = {}) {
    const endpoint = options.endpoint;
    this.pageSize = options.pageSize ?? 1000;
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      followRegionRedirects: true,
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      requestHandler: { requestTimeout: (options.socketTimeoutSeconds ?? 60) * 1000, connectionTimeout: 10_000 },
    });
  }

  async *list(bucket: string, prefix: string): AsyncIterable<StoredObject> {
    const pages = paginateListObjectsV2(
      { client: this.client, pageSize: this.pageSize },
      { Bucket: bucket, Prefix: prefix },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key,
          sizeBytes: object.Size ?? 0,
          lastModifiedMs: object.LastModified?.getTime() ?? 0,
        };
      }
    }
  }

  async *read(bucket: string, key: string): AsyncGenerator<Uint8Array, void, undefined> {
    const response = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    // in Node the body is the HTTP response stream: pulled chunk by chunk, never buffered whole
    const body = response.Body as Readable | undefined;
    if (!body) return;
    try {
      yield* body;
    } finally {
      body.destroy();
    }
  }

  close(): void {
    this.client.destroy();
  }
}
