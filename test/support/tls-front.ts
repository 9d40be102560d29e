/**
 * TLS in front of a plain HTTP runtime, as an ingress would terminate it: every TLS connection to
 * 127.0.0.1:<port> is piped, bytes unchanged (HTTP, WebSocket upgrades included), to the target.
 */
import { connect, type AddressInfo } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';

export interface TlsFront {
  port: number;
  close(): Promise<void>;
}

export async function startTlsFront(target: URL, certificate: { cert: string; key: string }): Promise<TlsFront> {
  const sockets = new Set<TLSSocket>();
  const server = createServer({ cert: certificate.cert, key: certificate.key }, (socket) => {
    sockets.add(socket);
    const upstream = connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    const end = () => {
      socket.destroy();
      upstream.destroy();
      sockets.delete(socket);
    };
    socket.on('error', end);
    socket.on('close', end);
    upstream.on('error', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
