/**
 * Reads an event log from disk as batches of lines, whatever its layout and codec, and turns it
 * into RunMetrics with the core parser. Memory: one read chunk, its decoded text and its lines.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { RunMetrics } from '../../domain/metrics';
import { EventLogParser, type EventLogParseOptions } from '../../metrics/event-log-parser';
import { LineSplitter } from '../../metrics/line-splitter';
import { EventLogDecodeError } from './byte-reader';
import { decode } from './codecs';
import { describeEventLog, type EventLogLocation } from './event-log-files';

export interface ReadEventLogOptions {
  /** Bytes read from disk at a time. @default 1048576 */
  chunkBytes?: number;
}

/**
 * The lines of the log at `path` (a file or an eventlog_v2_* directory, or a location from
 * locateEventLog), in batches. Throws EventLogDecodeError when compressed data cannot be decoded;
 * the lines before it have been yielded.
 */
export async function* readEventLogLines(
  path: string | EventLogLocation,
  options: ReadEventLogOptions = {},
): AsyncGenerator<string[]> {
  const location = typeof path === 'string' ? await describeEventLog(path) : path;
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  for (const file of location.files) {
    const splitter = new LineSplitter();
    const text = new StringDecoder('utf8');
    const raw = file.open ? file.open(chunkBytes) : createReadStream(file.path, { highWaterMark: chunkBytes });
    try {
      for await (const chunk of decode(file.codec, raw)) {
        const lines: string[] = [];
        splitter.push(text.write(chunk as Buffer), lines);
        if (lines.length > 0) yield lines;
      }
    } finally {
      // a decoder that throws leaves its source open: close the file or the HTTP response
      if ('destroy' in raw) raw.destroy();
      else await raw.return();
    }
    const last: string[] = [];
    splitter.push(text.end(), last);
    splitter.end(last);
    if (last.length > 0) yield last;
  }
}

/**
 * The metrics of the log at `path`. A log whose compressed data ends mid-block or is damaged
 * gives the metrics of the lines before the damage with `incomplete: true`, as does a log still
 * marked in progress.
 */
export async function readRunMetrics(
  path: string | EventLogLocation,
  options: EventLogParseOptions & ReadEventLogOptions = {},
): Promise<RunMetrics> {
  const location = typeof path === 'string' ? await describeEventLog(path) : path;
  const parser = new EventLogParser(options);
  let damaged = false;
  try {
    for await (const lines of readEventLogLines(location, options)) parser.addLines(lines);
  } catch (error) {
    if (!(error instanceof EventLogDecodeError)) throw error;
    damaged = true;
  }
  const metrics = parser.result();
  if (damaged || location.inProgress) metrics.incomplete = true;
  return metrics;
}
