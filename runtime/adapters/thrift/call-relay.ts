/**
 * Thrift over HTTP relayed to a HiveServer2 that speaks binary Thrift over TCP (the Spark Thrift
 * Server of a sql session): each POST body is one call, written to a TCP connection, and the reply
 * read back whole (found by walking the message, binary-protocol.ts) is the answer.
 *
 * Sessions survive between POSTs: HiveServer2 keeps its sessions and operations server-wide, usable
 * from any connection, but closes a session when the connection that opened it goes away. So the
 * connection an OpenSession went over stays open (its anchor) until that session's CloseSession, the
 * server's end, or close(); every other call takes a connection of its own, closed after the reply.
 */
import { connect, type Socket } from 'node:net';
import { DomainError } from '../../domain/errors';
import type { ConnectEndpoint } from '../../domain/ports';
import {
  binaryAt,
  CLOSE_SESSION_CALL_GUID,
  MESSAGE_TYPE,
  OPEN_SESSION_REPLY_GUID,
  readMessage,
  ThriftFormatError,
} from './binary-protocol';

function invalidBody(message: string): DomainError {
  const text = `(body): ${message}: expected one Thrift call in the binary protocol (TBinaryProtocol), as THttpClient sends it`;
  return new DomainError('VALIDATION_FAILED', text, [{ path: '(body)', message: text }]);
}

/** The call's name, after checking the body is exactly one complete call. */
export function callNameOf(body: Buffer): string {
  let message;
  try {
    message = readMessage(body);
  } catch (error) {
    if (error instanceof ThriftFormatError) throw invalidBody(error.message);
    throw error;
  }
  if (!message) throw invalidBody(`${body.length} bytes end before the message does`);
  if (message.type !== MESSAGE_TYPE.CALL) throw invalidBody(`message type ${message.type} is not a call (1)`);
  if (message.length !== body.length) {
    throw invalidBody(`${body.length - message.length} bytes follow the ${message.name} call`);
  }
  return message.name;
}

/**
 * Most HiveServer2 sessions one application keeps open through the relay: each holds a connection,
 * and so one of the server's worker threads (binary transport: a thread per connection). @default 64
 */
const DEFAULT_MAX_OPEN_SESSIONS = 64;

export class ThriftCallRelay {
  /** Connections that opened a session still open, by `<appId> <session guid>`. */
  private readonly anchors = new Map<string, Socket>();

  constructor(private readonly maxOpenSessions = DEFAULT_MAX_OPEN_SESSIONS) {}

  /** Sessions opened through the relay and not closed yet. */
  get openSessions(): number {
    return this.anchors.size;
  }

  /** Relays one call (a body callNameOf accepted) to the session's server; resolves with its reply. */
  async call(appId: string, upstream: ConnectEndpoint, body: Buffer): Promise<Buffer> {
    const name = callNameOf(body);
    if (name === 'OpenSession' && this.openSessionsOf(appId) >= this.maxOpenSessions) {
      throw new DomainError(
        'RATE_LIMITED',
        `session ${appId} has ${this.maxOpenSessions} HiveServer2 sessions open through this path, the most it keeps: close one (CloseSession) first`,
      );
    }
    const socket = connect(upstream.port, upstream.host);
    socket.setNoDelay(true);
    let reply: Buffer;
    try {
      reply = await exchange(socket, body, name, appId);
    } catch (error) {
      socket.destroy();
      throw error;
    }
    const guid = name === 'OpenSession' ? binaryAt(reply, OPEN_SESSION_REPLY_GUID) : undefined;
    if (guid) this.keep(`${appId} ${guid.toString('hex')}`, socket);
    else socket.destroy();
    if (name === 'CloseSession') {
      const closed = binaryAt(body, CLOSE_SESSION_CALL_GUID);
      if (closed) this.anchors.get(`${appId} ${closed.toString('hex')}`)?.destroy();
    }
    return reply;
  }

  private openSessionsOf(appId: string): number {
    let open = 0;
    for (const key of this.anchors.keys()) if (key.startsWith(`${appId} `)) open++;
    return open;
  }

  /** Closes every connection kept (the runtime stops): their sessions end on the server. */
  close(): void {
    for (const socket of this.anchors.values()) socket.destroy();
    this.anchors.clear();
  }

  private keep(key: string, socket: Socket): void {
    this.anchors.set(key, socket);
    socket.removeAllListeners('data');
    // nothing more is sent on it; it ends with the session (CloseSession) or the server
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.anchors.get(key) === socket) this.anchors.delete(key);
    });
  }
}

/** Writes the call and reads until one whole reply came back. */
function exchange(socket: Socket, body: Buffer, name: string, appId: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const unavailable = (why: string) =>
      new DomainError('BACKEND_UNAVAILABLE', `the Thrift Server of session ${appId} ${why} (call ${name})`);
    const settle = (outcome: () => void) => {
      socket.removeListener('close', onClose);
      socket.removeListener('error', onError);
      // until the caller keeps or destroys it, an error must not go unhandled
      socket.on('error', () => undefined);
      outcome();
    };
    const onClose = () => settle(() => reject(unavailable('closed the connection before it answered')));
    const onError = (error: Error) => settle(() => reject(unavailable(`could not be reached: ${error.message}`)));
    socket.on('close', onClose);
    socket.on('error', onError);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      let reply;
      try {
        reply = readMessage(received);
      } catch (error) {
        settle(() => reject(unavailable(`answered something that is not binary Thrift: ${(error as Error).message}`)));
        return;
      }
      if (reply) settle(() => resolve(received.subarray(0, reply.length)));
    });
    socket.write(body);
  });
}
