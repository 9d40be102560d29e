/**
 * A small Google Cloud Storage server over real HTTP on 127.0.0.1, enough of the JSON API for
 * @google-cloud/storage with a custom apiEndpoint: objects.list (prefix, maxResults, pageToken)
 * and objects.get with alt=media (streamed from disk). Objects are files under a temp directory,
 * `<root>/<bucket>/<name>`. No authentication.
 */
import { createReadStream, mkdtempSync, statSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BucketDirectory, bucketDirectory, isDirectory, isFile, objectsIn } from './fake-s3';

export interface FakeGcsOptions {
  /** Most objects answered per listing page, whatever the client asks: forces pagination. @default 1000 */
  pageSize?: number;
}

export interface FakeGcs extends BucketDirectory {
  /** http://127.0.0.1:<port>, the client's apiEndpoint. */
  endpoint: string;
  /** Requests received: "list <bucket> <query>" or "get <bucket>/<name>". */
  requests: string[];
}

export async function startFakeGcs(options: FakeGcsOptions = {}): Promise<FakeGcs> {
  const root = mkdtempSync(join(tmpdir(), 'sparkplane-fake-gcs-'));
  const pageSize = options.pageSize ?? 1000;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const match = /^\/storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(url.pathname);
    if (!match) return sendError(res, 501, `the fake GCS does not implement ${req.method} ${url.pathname}`);
    const bucket = decodeURIComponent(match[1]!);
    const bucketDir = join(root, bucket);
    if (!isDirectory(bucketDir)) return sendError(res, 404, 'The specified bucket does not exist.');
    if (match[2] === undefined) {
      requests.push(`list ${bucket} ${url.searchParams}`);
      const prefix = url.searchParams.get('prefix') ?? '';
      const after = Buffer.from(url.searchParams.get('pageToken') ?? '', 'base64url').toString('utf8');
      const max = Math.min(Number(url.searchParams.get('maxResults') ?? 1000), pageSize);
      const matching = objectsIn(bucketDir)
        .filter((o) => o.key.startsWith(prefix) && o.key > after)
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const page = matching.slice(0, max);
      return sendJson(res, 200, {
        kind: 'storage#objects',
        items: page.map((o) => ({
          kind: 'storage#object',
          bucket,
          name: o.key,
          size: String(o.size),
          updated: o.lastModified,
          generation: '1',
        })),
        ...(matching.length > page.length
          ? { nextPageToken: Buffer.from(page.at(-1)!.key, 'utf8').toString('base64url') }
          : {}),
      });
    }
    const name = decodeURIComponent(match[2]);
    requests.push(`get ${bucket}/${name}`);
    const path = join(bucketDir, ...name.split('/'));
    if (url.searchParams.get('alt') !== 'media') return sendError(res, 501, 'only alt=media reads are implemented');
    if (!isFile(path)) return sendError(res, 404, `No such object: ${bucket}/${name}`);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(statSync(path).size) });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    ...bucketDirectory(root, server),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, {
    error: { code: status, message, errors: [{ message, domain: 'global', reason: 'notFound' }] },
  });
}
