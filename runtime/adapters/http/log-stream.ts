/** Sends a driver log as plain text, streamed (chunked) and stopped when the client goes away. */
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

export async function sendLines(
  reply: FastifyReply,
  open: (signal: AbortSignal) => Promise<AsyncIterable<string>>,
): Promise<void> {
  const controller = new AbortController();
  reply.raw.on('close', () => controller.abort());
  const lines = await open(controller.signal);
  async function* text() {
    for await (const line of lines) yield `${line}\n`;
  }
  await reply
    .type('text/plain; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('x-accel-buffering', 'no')
    .send(Readable.from(text()));
}
