/**
 * A small S3 server over real HTTP on 127.0.0.1, enough of the REST API for the AWS SDK v3 with
 * forcePathStyle: ListObjectsV2 (prefix, max-keys, continuation token, start-after) and
 * GetObject/HeadObject (streamed from disk). Objects are files under a temp directory,
 * `<root>/<bucket>/<key>`. Signatures are not checked.
 */
import {
  cpSync,
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';

export interface FakeS3Options {
  /** Most keys answered per listing page, whatever the client asks: forces pagination. @default 1000 */
  pageSize?: number;
}

export interface FakeS3Request {
  method: string;
  /** ListObjectsV2, GetObject, HeadObject or Unknown. */
  operation: string;
  bucket: string;
  key: string;
  query: Record<string, string>;
}

/** The buckets of a fake object store: directories under its root, objects the files in them. */
export interface BucketDirectory {
  createBucket(bucket: string): void;
  put(bucket: string, key: string, data: string | Uint8Array): void;
  /** Copies a local file or directory tree to `key` (a directory's files become `key/<relative path>`). */
  putPath(bucket: string, key: string, localPath: string): void;
  /** Stops the server and removes the root. */
  close(): Promise<void>;
}

export interface FakeS3 extends BucketDirectory {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  root: string;
  /** Requests received, in order. */
  requests: FakeS3Request[];
}

export async function startFakeS3(options: FakeS3Options = {}): Promise<FakeS3> {
  const root = mkdtempSync(join(tmpdir(), 'sparkplane-fake-s3-'));
  const pageSize = options.pageSize ?? 1000;
  const requests: FakeS3Request[] = [];
  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      sendError(res, 500, 'InternalError', (error as Error).message);
    }
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const [bucketPart = '', ...keyParts] = url.pathname.slice(1).split('/');
    const bucket = decodeURIComponent(bucketPart);
    const key = keyParts.map(decodeURIComponent).join('/');
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    const operation =
      key === '' && query['list-type'] === '2'
        ? 'ListObjectsV2'
        : key !== '' && method === 'GET'
          ? 'GetObject'
          : key !== '' && method === 'HEAD'
            ? 'HeadObject'
            : 'Unknown';
    requests.push({ method, operation, bucket, key, query });
    const bucketDir = join(root, bucket);
    if (bucket === '' || !isDirectory(bucketDir)) {
      return sendError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', bucket);
    }
    if (operation === 'ListObjectsV2') return listObjects(res, bucket, bucketDir, query);
    if (operation === 'GetObject' || operation === 'HeadObject') {
      const path = join(bucketDir, ...key.split('/'));
      if (!isFile(path)) return sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.', key);
      const info = statSync(path);
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(info.size),
        'last-modified': info.mtime.toUTCString(),
        etag: `"${info.size}-${info.mtimeMs}"`,
      });
      if (operation === 'HeadObject') return void res.end();
      return void createReadStream(path).pipe(res);
    }
    sendError(res, 501, 'NotImplemented', `the fake S3 does not implement ${method} ${url.pathname}${url.search}`);
  }

  function listObjects(res: ServerResponse, bucket: string, bucketDir: string, query: Record<string, string>): void {
    const prefix = query.prefix ?? '';
    const maxKeys = Math.min(Number(query['max-keys'] ?? 1000), pageSize);
    const token = query['continuation-token'];
    const after = token !== undefined ? Buffer.from(token, 'base64url').toString('utf8') : (query['start-after'] ?? '');
    const matching = objectsIn(bucketDir)
      .filter((o) => o.key.startsWith(prefix) && o.key > after)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const page = matching.slice(0, maxKeys);
    const truncated = matching.length > page.length;
    const encode = query['encoding-type'] === 'url' ? encodeURIComponent : (s: string) => s;
    const contents = page
      .map(
        (o) =>
          `<Contents><Key>${xml(encode(o.key))}</Key><LastModified>${o.lastModified}</LastModified>` +
          `<ETag>&quot;${o.size}&quot;</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      )
      .join('');
    const next = truncated ? Buffer.from(page.at(-1)!.key, 'utf8').toString('base64url') : undefined;
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<Name>${xml(bucket)}</Name><Prefix>${xml(encode(prefix))}</Prefix><KeyCount>${page.length}</KeyCount>` +
      `<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      (token !== undefined ? `<ContinuationToken>${xml(token)}</ContinuationToken>` : '') +
      (next !== undefined ? `<NextContinuationToken>${next}</NextContinuationToken>` : '') +
      (query['encoding-type'] === 'url' ? '<EncodingType>url</EncodingType>' : '') +
      `${contents}</ListBucketResult>`;
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    root,
    requests,
    ...bucketDirectory(root, server),
  };
}

export function bucketDirectory(root: string, server: Server): BucketDirectory {
  return {
    createBucket: (bucket) => mkdirSync(join(root, bucket), { recursive: true }),
    put(bucket, key, data) {
      const path = join(root, bucket, ...key.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
    },
    putPath(bucket, key, localPath) {
      cpSync(localPath, join(root, bucket, ...key.split('/')), { recursive: true });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(root, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

/** The files under a bucket's directory as objects, keyed by their `/`-separated relative path. */
export function objectsIn(bucketDir: string): { key: string; size: number; lastModified: string }[] {
  return (readdirSync(bucketDir, { recursive: true }) as string[])
    .map((name) => join(bucketDir, name))
    .filter(isFile)
    .map((path) => {
      const info = statSync(path);
      return {
        key: relative(bucketDir, path).split(sep).join('/'),
        size: info.size,
        lastModified: info.mtime.toISOString(),
      };
    });
}

function sendError(res: ServerResponse, status: number, code: string, message: string, resource = ''): void {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message>` +
    `<Resource>${xml(resource)}</Resource><RequestId>fake</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
