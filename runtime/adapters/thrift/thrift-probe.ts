/**
 * Whether a Spark Thrift Server (HiveServer2, binary transport, NOSASL) answers: one real Thrift
 * OpenSession call over TCP, ready when a whole OpenSession reply comes back. A port that accepts
 * connections before the service behind it is up does not count. Closing the connection closes the
 * probe's session on the server (HiveServer2 ends the sessions of a connection that goes away).
 */
import { connect } from 'node:net';
import { MESSAGE_TYPE, openSessionCall, readMessage } from './binary-protocol';

/** Resolves true when an OpenSession reply came back within timeoutMs, false otherwise (never rejects). */
export function thriftServerAnswers(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    let received = Buffer.alloc(0);
    let settled = false;
    const done = (answered: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write(openSessionCall()));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      try {
        const reply = readMessage(received);
        if (reply) done(reply.type === MESSAGE_TYPE.REPLY && reply.name === 'OpenSession');
      } catch {
        done(false);
      }
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}
