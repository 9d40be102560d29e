/**
 * A WebSocket relayed to one TCP stream: each binary frame from the client is written to the stream
 * as it is, each read from the stream goes back as one binary frame, until either side ends. What
 * the Ocean clients speak over their WebSockets (ocean-spark-connect's /connect, dbt-ocean-spark's
 * /hive): the protocol inside is never looked at.
 */
import type { Socket } from 'node:net';
import type { WebSocket, RawData } from 'ws';

/** The relay stops reading the TCP side while this many bytes wait to go out on the WebSocket. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

/** Frames to TCP bytes and back, until either side ends; each frame from the client counts as a request. */
export function relayToTcp(socket: WebSocket, tcp: Socket, touch: () => void): void {
  touch();
  tcp.setNoDelay(true);
  socket.on('message', (data: RawData) => {
    touch();
    const chunks = Array.isArray(data) ? data : [Buffer.isBuffer(data) ? data : Buffer.from(new Uint8Array(data))];
    for (const chunk of chunks) tcp.write(chunk);
  });
  tcp.on('data', (chunk) => {
    socket.send(chunk, { binary: true });
    if (socket.bufferedAmount > HIGH_WATER_BYTES) {
      tcp.pause();
      const resume = setInterval(() => {
        if (socket.bufferedAmount <= HIGH_WATER_BYTES / 2 || socket.readyState !== socket.OPEN) {
          clearInterval(resume);
          tcp.resume();
        }
      }, 5);
    }
  });
  const closeBoth = () => {
    tcp.destroy();
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close();
  };
  tcp.on('close', closeBoth);
  tcp.on('error', closeBoth);
  socket.on('close', closeBoth);
  socket.on('error', closeBoth);
}
