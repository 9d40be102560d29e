/**
 * The `sc://` endpoint: a TLS HTTP/2 server that takes Spark Connect gRPC calls from any Spark
 * Connect client (`sc://host:port/;token=<sparkplane token>;session_id=<id>`), checks the bearer
 * token of every call against the session named by field 1 of its first message, and forwards the
 * call to that session's plaintext Spark Connect server (h2c) unchanged: request and response
 * messages, headers and trailers (grpc-status, grpc-message) as they are. A refused call gets a
 * gRPC status at once. Flow control and cancellation (RST_STREAM) go through in both directions,
 * so the sessions' own ports never need to be exposed. An execution whose client went away is
 * stopped in Spark by the proxy itself (abandoned-executions.ts).
 */
import http2, {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type Http2SecureServer,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { type Logger, silentLogger } from '../../domain/ports';
import { AbandonedExecutions, handleReader, type SendToServer } from './abandoned-executions';
import {
  encodeFrame,
  encodeGrpcMessage,
  FRAME_HEADER_BYTES,
  GrpcStatus,
  readField1,
  readFrameHeader,
} from './grpc-frame';
import {
  type ConnectRefusalKind,
  type ConnectSessionResolver,
  type ConnectTarget,
  isRefusal,
} from './session-resolver';

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR, NGHTTP2_FLAG_END_STREAM } = http2.constants;

const SERVICE_PATH = /^\/spark\.connect\.SparkConnectService\/[A-Za-z]+$/;
const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** A refusal's gRPC status: the codes a Spark Connect client knows how to report. */
const REFUSAL_STATUS: Record<ConnectRefusalKind, GrpcStatus> = {
  unauthenticated: GrpcStatus.UNAUTHENTICATED,
  forbidden: GrpcStatus.PERMISSION_DENIED,
  'not-found': GrpcStatus.NOT_FOUND,
  'not-running': GrpcStatus.UNAVAILABLE,
};

/**
 * HTTP/2 flow-control windows of the proxy's two sides. The protocol's default (64 KiB) would cap
 * every ExecutePlan response stream at one window per round trip; these still bound what one call
 * can buffer in the proxy.
 */
const STREAM_WINDOW_BYTES = 1024 * 1024;
const SESSION_WINDOW_BYTES = 16 * 1024 * 1024;

export interface SparkConnectProxyOptions {
  /** @default "127.0.0.1" */
  host?: string;
  /** 0: a free port, read back from `port`. */
  port: number;
  /** PEM certificate (chain) and private key the proxy serves TLS with. */
  tls: { cert: string | Buffer; key: string | Buffer };
  resolver: ConnectSessionResolver;
  /** @default silent */
  logger?: Logger;
  /**
   * How much of a call's first message is read while looking for its session id (field 1, which
   * protobuf writers put first). @default 1048576
   */
  maxSessionIdPrefixBytes?: number;
  /**
   * How long an execution whose client went away mid-call waits for the client to reattach through
   * the proxy before the proxy interrupts and releases it in Spark. @default 30000
   */
  abandonedExecutionGraceMs?: number;
}

export class SparkConnectProxy {
  private readonly upstreams = new Map<string, ClientHttp2Session>();
  private readonly clientSessions = new Set<ServerHttp2Session>();
  private readonly calls = new Set<ServerHttp2Stream>();
  private readonly logger: Logger;
  private readonly maxPrefix: number;
  private readonly abandoned: AbandonedExecutions;

  private constructor(
    private readonly server: Http2SecureServer,
    private readonly resolver: ConnectSessionResolver,
    options: SparkConnectProxyOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.maxPrefix = options.maxSessionIdPrefixBytes ?? 1024 * 1024;
    this.abandoned = new AbandonedExecutions(options.abandonedExecutionGraceMs ?? 30_000, this.logger);
    server.on('session', (session) => {
      this.clientSessions.add(session);
      session.once('close', () => this.clientSessions.delete(session));
      session.once('connect', () => session.setLocalWindowSize(SESSION_WINDOW_BYTES));
    });
    server.on('stream', (stream, headers) => this.accept(stream, headers));
    server.on('sessionError', (error) =>
      this.logger.debug({ err: error.message }, 'spark connect proxy: client connection error'),
    );
  }

  /** Listens on `options.host:options.port` with TLS; resolves once listening. */
  static async start(options: SparkConnectProxyOptions): Promise<SparkConnectProxy> {
    const server = http2.createSecureServer({
      cert: options.tls.cert,
      key: options.tls.key,
      allowHTTP1: false,
      settings: { initialWindowSize: STREAM_WINDOW_BYTES },
    });
    const proxy = new SparkConnectProxy(server, options.resolver, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Calls being forwarded or checked now. */
  get openCalls(): number {
    return this.calls.size;
  }

  /** Stops listening and ends every client and upstream connection (open calls are cut). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.abandoned.close();
    for (const session of this.clientSessions) session.destroy();
    for (const session of this.upstreams.values()) session.destroy();
    this.upstreams.clear();
    await closed;
  }

  private accept(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    this.calls.add(stream);
    stream.once('close', () => this.calls.delete(stream));
    // a reset by the client surfaces as an error on the stream; its close handler does the rest
    stream.on('error', (error) =>
      this.logger.debug({ err: error.message }, 'spark connect proxy: client stream error'),
    );
    const path = headers[':path'] ?? '';
    if (headers[':method'] !== 'POST' || !String(headers['content-type'] ?? '').startsWith('application/grpc')) {
      return refuse(
        stream,
        GrpcStatus.INVALID_ARGUMENT,
        `${headers[':method']} ${path} with content-type ${JSON.stringify(headers['content-type'] ?? '')} is not a gRPC call: expected POST with content-type application/grpc`,
      );
    }
    if (!SERVICE_PATH.test(path)) {
      return refuse(
        stream,
        GrpcStatus.UNIMPLEMENTED,
        `${path} is not a method of spark.connect.SparkConnectService: this endpoint serves Spark Connect only`,
      );
    }
    const token = BEARER.exec(String(headers.authorization ?? ''))?.[1];
    if (token === undefined) {
      return refuse(
        stream,
        GrpcStatus.UNAUTHENTICATED,
        'no bearer token: connect with sc://<host>:<port>/;token=<sparkplane token>;session_id=<session id>',
      );
    }
    this.readSessionId(stream, headers, (sessionId, firstBytes, clientEnded) => {
      void this.route(stream, headers, token, sessionId, firstBytes, clientEnded);
    });
  }

  /** Buffers the start of the call until its first message's field 1 is read, then pauses the call. */
  private readSessionId(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    then: (sessionId: string, firstBytes: Buffer, clientEnded: () => boolean) => void,
  ): void {
    const chunks: Buffer[] = [];
    let length = 0;
    let ended = false;
    const stop = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.pause();
    };
    const invalid = (message: string) => {
      stop();
      refuse(stream, GrpcStatus.INVALID_ARGUMENT, message);
    };
    // reads what arrived; leaves the call alone while field 1 needs more bytes
    const decide = (): void => {
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      chunks.splice(0, chunks.length, bytes);
      const header = readFrameHeader(bytes);
      if (header === undefined) return;
      let message = bytes.subarray(FRAME_HEADER_BYTES);
      if (header.compressed) {
        // a compressed message is read whole, decompressed only to be read: it is forwarded as it came
        if (header.length > this.maxPrefix) {
          return invalid(
            `a compressed first message of ${header.length} bytes is larger than the ${this.maxPrefix} bytes read for its session_id`,
          );
        }
        if (message.length < header.length) return;
        const encoding = String(headers['grpc-encoding'] ?? 'identity');
        try {
          message = decompress(encoding, message.subarray(0, header.length));
        } catch (error) {
          return invalid(
            `the first message cannot be decompressed with grpc-encoding ${encoding}: ${(error as Error).message}`,
          );
        }
      }
      const field = readField1(message, header.compressed ? message.length : header.length);
      switch (field.kind) {
        case 'need-more':
          if (length > this.maxPrefix) {
            invalid(`no session_id (field 1) in the first ${this.maxPrefix} bytes of the call's first message`);
          }
          return;
        case 'invalid':
          return invalid(`the call's first message is not a Spark Connect request: ${field.reason}`);
        case 'absent':
          return invalid(
            "the call's first message has no session_id (field 1): set session_id=<session id> in the sc:// URL",
          );
        case 'found':
          stop();
          return then(field.value, bytes, () => ended);
      }
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      decide();
    };
    const onEnd = () => {
      ended = true;
      invalid('the call ended before its first message was complete');
    };
    // the 'end' of a call whose request fits in the bytes read comes while the token is checked
    stream.once('end', () => (ended = true));
    stream.on('data', onData);
    stream.on('end', onEnd);
  }

  private async route(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    token: string,
    sessionId: string,
    firstBytes: Buffer,
    clientEnded: () => boolean,
  ): Promise<void> {
    let resolution;
    try {
      resolution = await this.resolver.resolve(sessionId, token);
    } catch (error) {
      this.logger.error(
        { sessionId, err: (error as Error).message },
        'spark connect proxy: the session could not be resolved',
      );
      return refuse(
        stream,
        GrpcStatus.UNAVAILABLE,
        `session ${sessionId} cannot be checked now: ${(error as Error).message}`,
      );
    }
    if (stream.closed || stream.destroyed) return;
    if (isRefusal(resolution)) {
      this.logger.info(
        { sessionId, refused: resolution.refused, path: headers[':path'] },
        'spark connect proxy: call refused',
      );
      return refuse(stream, REFUSAL_STATUS[resolution.refused], resolution.message);
    }
    this.resolver.touch(resolution.appId);
    this.forward(stream, headers, resolution, sessionId, firstBytes, clientEnded());
  }

  private forward(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    target: ConnectTarget,
    sessionId: string,
    firstBytes: Buffer,
    clientEnded: boolean,
  ): void {
    const where = `the Spark Connect server of session ${sessionId} (${target.appId})`;
    let upstream: ClientHttp2Stream;
    try {
      upstream = this.upstream(target).request(requestHeaders(headers, target));
    } catch (error) {
      return refuse(stream, GrpcStatus.UNAVAILABLE, `${where} cannot be reached: ${(error as Error).message}`);
    }
    let failure: string | undefined;
    let trailers: OutgoingHttpHeaders | undefined;
    let finished = false;
    // an execution's call: its handle is read from the request as it goes by
    const path = String(headers[':path']);
    const reader = handleReader(path.slice(path.lastIndexOf('/') + 1));
    let attached: string | undefined;
    const onRequestBytes = (chunk: Buffer) => {
      reader!.push(chunk);
      if (!reader!.ended) return;
      stream.off('data', onRequestBytes);
      const handle = reader!.handle;
      if (handle === undefined || stream.closed) return;
      attached = `${target.host}:${target.port}/${handle.sessionId}/${handle.operationId}`;
      this.abandoned.attach(attached);
    };
    upstream.on('error', (error) => (failure = error.message));
    upstream.on('trailers', (received) => (trailers = copyHeaders(received)));
    upstream.on('response', (received, flags) => {
      if (stream.closed || stream.destroyed) return;
      const response = copyHeaders(received, [':status']);
      if ((flags & NGHTTP2_FLAG_END_STREAM) !== 0) {
        // Trailers-Only: a call the server answers with a status and no message
        finished = true;
        stream.respond(response, { endStream: true });
        return;
      }
      stream.respond(response, { waitForTrailers: true });
      stream.once('wantTrailers', () => {
        const send = () => {
          finished = true;
          if (!stream.closed && !stream.destroyed) stream.sendTrailers(trailers ?? lostStatus(where, failure));
        };
        if (trailers !== undefined || upstream.closed) send();
        else upstream.once('close', send);
      });
      upstream.pipe(stream);
    });
    upstream.once('close', () => {
      if (finished || stream.closed || stream.destroyed) return;
      if (!stream.headersSent) {
        refuse(
          stream,
          GrpcStatus.UNAVAILABLE,
          `${where} at ${target.host}:${target.port} ${failure ? `failed: ${failure}` : 'closed the call'}`,
        );
      } else if (upstream.rstCode !== undefined && upstream.rstCode !== NGHTTP2_NO_ERROR) {
        // the server reset the stream (e.g. cancelled the call): so does the proxy, with its code
        stream.close(upstream.rstCode);
      }
    });
    // a call the client resets (or whose connection drops) is reset upstream, and its execution stopped
    stream.once('close', () => {
      const wentAway = !finished && !upstream.closed && !upstream.destroyed;
      if (wentAway) upstream.close(NGHTTP2_CANCEL);
      if (attached === undefined) return;
      const send: SendToServer = (method, message) => this.unaryCall(target, method, message);
      this.abandoned.detach(attached, wentAway ? { handle: reader!.handle!, send } : undefined);
    });
    if (reader) {
      onRequestBytes(firstBytes);
      if (!reader.ended) stream.on('data', onRequestBytes);
    }
    if (clientEnded) {
      upstream.end(firstBytes);
    } else {
      upstream.write(firstBytes);
      stream.pipe(upstream);
    }
  }

  /** A call of the proxy's own to a session's server, with the server's token: its gRPC status and message. */
  private unaryCall(target: ConnectTarget, method: string, message: Buffer): ReturnType<SendToServer> {
    return new Promise((resolve, reject) => {
      const call = this.upstream(target).request(
        requestHeaders(
          {
            ':path': `/spark.connect.SparkConnectService/${method}`,
            'content-type': 'application/grpc',
            te: 'trailers',
          },
          target,
        ),
      );
      let status: string | undefined;
      let text = '';
      const read = (received: IncomingHttpHeaders) => {
        if (received['grpc-status'] === undefined) return;
        status = String(received['grpc-status']);
        text = String(received['grpc-message'] ?? '');
      };
      call.on('response', read);
      call.on('trailers', read);
      call.on('error', reject);
      call.once('close', () => resolve({ status, message: text }));
      call.resume();
      call.end(encodeFrame(message));
    });
  }

  /** One h2c connection per session server, shared by its calls; a closed one is made anew. */
  private upstream(target: ConnectTarget): ClientHttp2Session {
    const key = `${target.host}:${target.port}`;
    const existing = this.upstreams.get(key);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const host = target.host.includes(':') ? `[${target.host}]` : target.host;
    const session = http2.connect(`http://${host}:${target.port}`, {
      settings: { initialWindowSize: STREAM_WINDOW_BYTES },
    });
    session.once('connect', () => session.setLocalWindowSize(SESSION_WINDOW_BYTES));
    const forget = () => {
      if (this.upstreams.get(key) === session) this.upstreams.delete(key);
    };
    session.on('error', (error) => {
      this.logger.warn({ upstream: key, err: error.message }, 'spark connect proxy: session server connection failed');
      forget();
    });
    session.once('goaway', forget);
    session.once('close', forget);
    this.upstreams.set(key, session);
    return session;
  }
}

/** Answers a call with a gRPC status and no message (Trailers-Only), and discards the rest of its request. */
function refuse(stream: ServerHttp2Stream, status: GrpcStatus, message: string): void {
  if (stream.closed || stream.destroyed) return;
  if (stream.headersSent) {
    stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  stream.respond(
    {
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': String(status),
      'grpc-message': encodeGrpcMessage(message),
    },
    { endStream: true },
  );
  stream.resume();
}

/** The status of a call whose server stopped answering after its response began. */
function lostStatus(where: string, failure: string | undefined): OutgoingHttpHeaders {
  const message = `${where} ended the call without a status${failure ? `: ${failure}` : ''}`;
  return { 'grpc-status': String(GrpcStatus.UNAVAILABLE), 'grpc-message': encodeGrpcMessage(message) };
}

/** The client's headers for the session's server: its own authority and token instead of the client's. */
function requestHeaders(headers: IncomingHttpHeaders, target: ConnectTarget): OutgoingHttpHeaders {
  const out = copyHeaders(headers);
  delete out.authorization;
  if (target.serverToken !== undefined) out.authorization = `Bearer ${target.serverToken}`;
  out[':method'] = 'POST';
  out[':path'] = headers[':path'];
  out[':scheme'] = 'http';
  out[':authority'] = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  return out;
}

/** Headers without HTTP/2 pseudo-headers (but those in `keep`), and without node's symbol keys. */
function copyHeaders(headers: IncomingHttpHeaders, keep: string[] = []): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && (!name.startsWith(':') || keep.includes(name))) out[name] = value;
  }
  return out;
}

function decompress(encoding: string, bytes: Buffer): Buffer {
  if (encoding === 'gzip') return gunzipSync(bytes);
  if (encoding === 'deflate') return inflateSync(bytes);
  throw new Error(`the proxy reads identity, gzip and deflate, not ${JSON.stringify(encoding)}`);
}
