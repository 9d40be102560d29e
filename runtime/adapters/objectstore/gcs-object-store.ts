/**
 * An ObjectStore over Google Cloud Storage with the official client. Credentials come from
 * Application Default Credentials: GKE Workload Identity (metadata server),
 * GOOGLE_APPLICATION_CREDENTIALS, gcloud's user credentials.
 */
import { type GetFilesOptions, type GetFilesResponse, Storage } from '@google-cloud/storage';
import type { ObjectStore, StoredObject } from './object-store';

export interface GcsStoreOptions {
  /** Endpoint of an emulator or test server, e.g. "http://127.0.0.1:4443" (no credentials are sent to it). @default STORAGE_EMULATOR_HOST, else Google's */
  apiEndpoint?: string;
  /** Objects asked per listing page (GCS answers at most 1000). @default 1000 */
  pageSize?: number;
}

export class GcsObjectStore implements ObjectStore {
  private readonly storage: Storage;
  private readonly pageSize: number;

  constructor(options: GcsStoreOptions = {}) {
    this.storage = new Storage(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {});
    this.pageSize = options.pageSize ?? 1000;
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
