import { describe, expect, it } from 'vitest';
import { readEvents } from './changes';

const streamOf = (chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });

describe('readEvents', () => {
  it('yields each complete event once, across chunk boundaries, skipping comments', async () => {
    const events: [string, string][] = [];
    await readEvents(
      streamOf([
        ': connected\n\nevent: appli',
        'cation\ndata: {"a":1}\n',
        '\n: heartbeat\n\n',
        'event: application\r\ndata: {"a":2}\r\n\r\n',
        'data: tail',
      ]),
      (event, data) => events.push([event, data]),
    );
    expect(events).toEqual([
      ['application', '{"a":1}'],
      ['application', '{"a":2}'],
    ]);
  });

  it('joins multi-line data and names unnamed events "message"', async () => {
    const events: [string, string][] = [];
    await readEvents(streamOf(['data: one\ndata: two\n\n']), (event, data) => events.push([event, data]));
    expect(events).toEqual([['message', 'one\ntwo']]);
  });
});
