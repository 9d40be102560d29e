/**
 * An ObjectStore over Google Cloud Storage with the official client. Credentials come from the
 * credential file given (a service-account key, or an external_account of Workload Identity
 * Federation, see gcs-credentials.ts), else Application Default Credentials: GKE Workload Identity
 * (metadata server), GOOGLE_APPLICATION_CREDENTIALS, gcloud's user credentials.
 */
import { type GetFilesOptions, type GetFilesResponse, Storage } from '@google-cloud/storage';
import type { AuthClient, AwsSecurityCredentialsSupplier } from 'google-auth-library';
import { awsSdkCredentials, gcsAuthOptions } from './gcs-credentials';
import type { ObjectStore, StoredObject } from './object-store';

export interface GcsStoreOptions {
  /** Endpoint of an emulator or test server, e.g. "http://127.0.0.1:4443" (no credentials are sent to it). @default STORAGE_EMULATOR_HOST, else Google's */
  apiEndpoint?: string;
  /** Objects asked per listing page (GCS answers at most 1000). @default 1000 */
  pageSize?: number;
  /** A Google credential configuration file. @default none: Application Default Credentials */
  credentialsFile?: string;
  /**
   * What an AWS external_account signs with. @default the AWS SDK's credential chain, in `awsRegion`
   */
  awsCredentials?: AwsSecurityCredentialsSupplier;
  /** Region of the AWS STS endpoint an AWS external_account's request names. @default "us-east-1" */
  awsRegion?: string;
}

/** GCS settings of the runtime, from its environment: GOOGLE_APPLICATION_CREDENTIALS and AWS_REGION (or AWS_DEFAULT_REGION). */
export function gcsOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): GcsStoreOptions {
  const credentialsFile = env.GOOGLE_APPLICATION_CREDENTIALS || undefined;
  const awsRegion = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  return { ...(credentialsFile ? { credentialsFile } : {}), ...(awsRegion ? { awsRegion } : {}) };
}

export class GcsObjectStore implements ObjectStore {
  private readonly storage: Storage;
  private readonly pageSize: number;

  constructor(options: GcsStoreOptions = {}) {
    const auth = gcsAuthOptions(
      options.credentialsFile,
      () => options.awsCredentials ?? awsSdkCredentials(options.awsRegion ?? 'us-east-1'),
    );
    this.storage = new Storage({ ...auth, ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}) });
    this.pageSize = options.pageSize ?? 1000;
  }

  /** The client requests are authenticated with (what the credential file resolved to); no request is sent. */
  authClient(): Promise<AuthClient> {
    return this.storage.authClient.getClient();
  }

  async *list(bucket: string, prefix: string): AsyncIterable<StoredObject> {
    let query: GetFilesOptions | undefined = { prefix, autoPaginate: false, maxResults: this.pageSize };
    while (query) {
      const response: GetFilesResponse = await this.storage.bucket(bucket).getFiles(query);
      const [files, next] = response;
      for (const file of files) {
        yield {
          key: file.name,
          sizeBytes: Number(file.metadata.size ?? 0),
          lastModifiedMs: Date.parse(file.metadata.updated ?? '') || 0,
        };
      }
      // the next page's query, or null after the last page
      query = (next as GetFilesOptions | null) ?? undefined;
    }
  }

  async *read(bucket: string, key: string): AsyncGenerator<Uint8Array, void, undefined> {
    const stream = this.storage.bucket(bucket).file(key).createReadStream();
    try {
      yield* stream;
    } finally {
      stream.destroy();
    }
  }

  close(): void {
    // the client keeps no connection of its own to release
  }
}
