/** Reading a driver log while Spark appends to it. */
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** The last `maxBytes` of a file as lines (the first, possibly cut, line dropped). */
export async function tailLines(path: string, maxBytes: number): Promise<string[]> {
  if (!existsSync(path)) return [];
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    await file.read(buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split(/\r?\n/);
    if (start > 0) lines.shift();
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  } finally {
    await file.close();
  }
}

export interface FollowOptions {
  /** Keep reading new lines until `ended()` is true. */
  follow: boolean;
  /** True once nothing more will be written; checked after each read that found nothing new. */
  ended: () => boolean;
  signal?: AbortSignal;
  /** @default 250 */
  pollMillis?: number;
}

/** The lines of the file so far and, with follow, those appended until it ends or the signal aborts. */
export async function* readLogLines(path: string, options: FollowOptions): AsyncGenerator<string> {
  const pollMillis = options.pollMillis ?? 250;
  let offset = 0;
  let partial = '';
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    if (options.signal?.aborted) return;
    let grew = false;
    if (existsSync(path) && (await stat(path)).size > offset) {
      const file = await open(path, 'r');
      try {
        for (;;) {
          const { bytesRead } = await file.read(chunk, 0, chunk.length, offset);
          if (bytesRead === 0) break;
          grew = true;
          offset += bytesRead;
          const lines = (partial + chunk.subarray(0, bytesRead).toString('utf8')).split(/\r?\n/);
          partial = lines.pop() ?? '';
          for (const line of lines) {
            if (options.signal?.aborted) return;
            yield line;
          }
        }
      } finally {
        await file.close();
      }
    }
    if (grew) continue;
    if (!options.follow) break;
    if (options.ended()) {
      // the last lines may have landed between the read and the check
      const size = existsSync(path) ? (await stat(path)).size : 0;
      if (size <= offset) break;
      continue;
    }
    await sleep(pollMillis, undefined, { signal: options.signal }).catch(() => undefined);
  }
  if (partial !== '') yield partial;
}
