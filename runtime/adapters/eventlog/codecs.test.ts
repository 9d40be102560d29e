import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appEnd, appStart, taskEnd } from '../../metrics/event-log-fixtures';
import { codecOfFile } from './codecs';
import { decodeLz4BlockStream, lz4BlockDecompress } from './lz4-block-stream';
import { locateEventLog } from './event-log-files';
import { readEventLogLines, readRunMetrics } from './read-event-log';
import { decodeSnappyJavaStream, snappyDecompress } from './snappy-java-stream';

/** lz4-java's LZ4Block framing of `data` as RAW blocks (of `blockBytes`, or one per line), ended by an empty block. */
function lz4RawStream(data: Buffer, blockBytes: number | 'line'): Buffer {
  const parts: Buffer[] = [];
  const block = (payload: Buffer) => {
    const header = Buffer.alloc(21);
    header.write('LZ4Block', 0, 'latin1');
    header[8] = 0x10;
    header.writeInt32LE(payload.length, 9);
    header.writeInt32LE(payload.length, 13);
    parts.push(header, payload);
  };
  if (blockBytes === 'line') for (const line of data.toString().split(/(?<=\n)/)) block(Buffer.from(line));
  else for (let i = 0; i < data.length; i += blockBytes) block(data.subarray(i, i + blockBytes));
  block(Buffer.alloc(0));
  return Buffer.concat(parts);
}

async function* chunksOf(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of source) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString();
}

const LOG = [appStart(1000), taskEnd({ runTimeMs: 7 }), taskEnd({ runTimeMs: 8 }), appEnd(5000)].join('\n') + '\n';

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('lz4 (lz4-java LZ4BlockOutputStream)', () => {
  it('decodes literals and overlapping matches of an LZ4 block', () => {
    // "abc", then a 9-byte match at offset 3 (overlapping), then the literals "END!!"
    const block = Uint8Array.from([0x35, 97, 98, 99, 3, 0, 0x50, ...Buffer.from('END!!')]);
    expect(Buffer.from(lz4BlockDecompress(block, 17)).toString()).toBe('abcabcabcabcEND!!');
  });

  it('rejects a match pointing before the start', () => {
    expect(() => lz4BlockDecompress(Uint8Array.from([0x10, 97, 9, 0]), 10)).toThrow(/bad match/);
  });

  it('decodes a multi-block stream cut into arbitrary chunks', async () => {
    expect(await collect(decodeLz4BlockStream(chunksOf(lz4RawStream(Buffer.from(LOG), 100), 37)))).toBe(LOG);
  });

  it('gives the complete lines of a stream cut mid-block, and incomplete metrics', async () => {
    dir = mkdtempSync(join(tmpdir(), 'eventlog-'));
    const stream = lz4RawStream(Buffer.from(LOG), 'line');
    // drop the end marker and the tail of the last block (the application end)
    writeFileSync(join(dir, 'app-1.lz4'), stream.subarray(0, stream.length - 21 - 10));
    const m = await readRunMetrics(join(dir, 'app-1.lz4'));
    expect(m.incomplete).toBe(true);
    expect(m.tasks.completed).toBe(2);
    expect(m.executorRunTimeMs).toBe(15);
  });
});

describe('snappy (snappy-java SnappyOutputStream)', () => {
  it('decodes literals and copies of a Snappy block', () => {
    // length 12; literal "abcd"; copy with a 1-byte offset: length 8, offset 4
    const block = Uint8Array.from([12, 3 << 2, 97, 98, 99, 100, ((8 - 4) << 2) | 1, 4]);
    expect(Buffer.from(snappyDecompress(block)).toString()).toBe('abcdabcdabcd');
  });

  it('decodes a stream with its header, literal-only chunks and a repeated header', async () => {
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    const chunk = (text: string) => {
      const raw = Buffer.from(text);
      // varint length (< 128), then one literal with a 1-byte extra length (tag 60)
      const block = Buffer.concat([Buffer.from([raw.length, 60 << 2, raw.length - 1]), raw]);
      const length = Buffer.alloc(4);
      length.writeInt32BE(block.length);
      return Buffer.concat([length, block]);
    };
    const stream = Buffer.concat([header, chunk('{"a":1}\n{"b"'), header, chunk(':2}\n')]);
    expect(await collect(decodeSnappyJavaStream(chunksOf(stream, 5)))).toBe('{"a":1}\n{"b":2}\n');
  });
});

describe('event log files', () => {
  it('names codecs by extension', () => {
    expect(
      ['events_1_app.zstd', 'app.lz4.inprogress', 'app.snappy', 'app', 'events_2_app.zst.compact'].map(codecOfFile),
    ).toEqual(['zstd', 'lz4', 'snappy', 'none', 'zstd']);
  });

  it('reads a rolling directory in index order and knows whether it is complete', async () => {
    dir = mkdtempSync(join(tmpdir(), 'eventlog-'));
    const rolling = join(dir, 'eventlog_v2_app-1');
    mkdirSync(rolling);
    const lines = LOG.trim().split('\n');
    writeFileSync(join(rolling, 'events_10_app-1'), lines.slice(2).join('\n') + '\n');
    writeFileSync(
      join(rolling, 'events_2_app-1.lz4'),
      lz4RawStream(Buffer.from(lines.slice(0, 2).join('\n') + '\n'), 50),
    );
    writeFileSync(join(rolling, 'appstatus_app-1.inprogress'), '');
    const location = (await locateEventLog(`file://${dir}`, 'app-1'))!;
    expect(location).toMatchObject({ kind: 'rolling', inProgress: true });
    expect(location.files.map((f) => [f.path.split('/').pop(), f.codec])).toEqual([
      ['events_2_app-1.lz4', 'lz4'],
      ['events_10_app-1', 'none'],
    ]);
    const read: string[] = [];
    for await (const batch of readEventLogLines(location)) read.push(...batch);
    expect(read).toEqual(lines);
    expect((await readRunMetrics(location)).incomplete).toBe(true);
    rmSync(join(rolling, 'appstatus_app-1.inprogress'));
    writeFileSync(join(rolling, 'appstatus_app-1'), '');
    expect((await readRunMetrics(rolling)).incomplete).toBe(false);
    expect(await locateEventLog(dir, 'app-2')).toBeUndefined();
  });
});
