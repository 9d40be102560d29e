/**
 * Reads event logs as Spark writes them, for the live timeline: an uncompressed file on local disk
 * from a byte offset to its last complete line; anything else (compressed, object storage) whole,
 * with the reader of the metrics.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { EventLogTail, TailedFile } from '../../apps/timeline-service';
import type { EventLogLocation } from './event-log-files';
import { readEventLogLines } from './read-event-log';

/** Bytes read at a time. */
const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/** @param locate the files of a log as they are now (the event-log reader's), undefined when there is none */
export function createEventLogTail(locate: (path: string) => Promise<EventLogLocation | undefined>): EventLogTail {
  return {
    async describe(path) {
      const location = await locate(path);
      if (location === undefined) return undefined;
      return {
        inProgress: location.inProgress,
        files: location.files.map((f) => ({
          key: basename(f.path).replace(/\.inprogress$/, ''),
          path: f.path,
          seekable: f.codec === 'none' && f.open === undefined,
        })),
      };
    },
    readFrom,
    async *readAll(path) {
      const location = await locate(path);
      if (location !== undefined) yield* readEventLogLines(location);
    },
  };
}

/**
 * The complete lines of `file` from `offset`. A newline byte never occurs inside a UTF-8
 * sequence, so lines are cut on bytes and each decoded whole.
 */
async function readFrom(
  file: TailedFile,
  offset: number,
  final: boolean,
  onLines: (lines: string[]) => void,
): Promise<number> {
  const handle = await open(file.path, 'r');
  try {
    const size = (await handle.stat()).size;
    let position = offset;
    let pending = Buffer.alloc(0);
    while (position < size) {
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, size - position));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const bytes =
        pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const lastNewline = bytes.lastIndexOf(NEWLINE);
      if (lastNewline < 0) {
        pending = bytes;
        continue;
      }
      onLines(bytes.subarray(0, lastNewline).toString('utf8').split('\n'));
      pending = bytes.subarray(lastNewline + 1);
    }
    if (final && pending.length > 0) {
      onLines([pending.toString('utf8')]);
      return position;
    }
    // the bytes after the last newline are a line still being written: read again next time
    return position - pending.length;
  } finally {
    await handle.close();
  }
}
