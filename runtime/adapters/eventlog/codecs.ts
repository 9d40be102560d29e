/** The compression codecs Spark writes event logs with, named by the file extension it uses. */
import { EventLogDecodeError } from './byte-reader';
import { decodeLz4BlockStream } from './lz4-block-stream';
import { decodeSnappyJavaStream } from './snappy-java-stream';
import { decodeZstdStream } from './zstd-stream';

export type EventLogCodec = 'none' | 'zstd' | 'lz4' | 'snappy' | 'lzf';

const DECODERS: Record<EventLogCodec, ((source: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>) | undefined> =
  {
    none: (source) => source,
    zstd: decodeZstdStream,
    lz4: decodeLz4BlockStream,
    snappy: decodeSnappyJavaStream,
    // Spark's lzf codec (compress-lzf) is rare and not the default: not decoded here
    lzf: undefined,
  };

/** The codec of a log file from its name (`events_1_<appId>.zstd`, `<appId>.lz4.inprogress`...). */
export function codecOfFile(name: string): EventLogCodec {
  const stem = name.replace(/\.(inprogress|compact)$/, '').replace(/\.(inprogress|compact)$/, '');
  const ext = /\.(zstd|zst|lz4|snappy|lzf)$/.exec(stem)?.[1];
  if (ext === 'zst') return 'zstd';
  return (ext as EventLogCodec | undefined) ?? 'none';
}

export function decode(codec: EventLogCodec, source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const decoder = DECODERS[codec];
  if (decoder === undefined) throw new EventLogDecodeError(codec, 0, `the ${codec} codec is not supported`);
  return decoder(source);
}
