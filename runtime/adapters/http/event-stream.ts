/**
 * Server-sent events over a plain streamed answer: each event as `event:` and `data:` lines, a
 * comment every heartbeat so that proxies and clients keep an idle connection, and a clean end
 * (the subscription dropped) when the client goes away.
 */
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** @default 15000 */
export const HEARTBEAT_MS = 15_000;

export interface EventSink {
  send(event: string, data: unknown): void;
}

/** The streams open now, each with what ends it: the server ends them when it closes (they never end by themselves). */
export type OpenStreams = Set<() => void>;

export async function sendEvents(
  reply: FastifyReply,
  /** Starts the subscription; returns what stops it. */
  subscribe: (sink: EventSink) => () => void,
  open: OpenStreams,
  heartbeatMs = HEARTBEAT_MS,
): Promise<void> {
  const stream = new PassThrough();
  const sink: EventSink = {
    send: (event, data) => void stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
  };
  const unsubscribe = subscribe(sink);
  const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), heartbeatMs);
  const end = () => {
    open.delete(end);
    clearInterval(heartbeat);
    unsubscribe();
    stream.end();
  };
  open.add(end);
  reply.raw.on('close', end);
  // a first comment, so the client sees the answer (and its headers) before the first change
  stream.write(': connected\n\n');
  // resolves when the answer ends: when the client goes away
  await reply
    .type('text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('x-accel-buffering', 'no')
    .send(stream);
}
