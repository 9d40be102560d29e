/**
 * Where Spark put an application's event log, and the files to read in order. Spark writes
 * either one file `<appId>[.<codec>][.inprogress]`, or (rolling, the Spark 4 default) a directory
 * `eventlog_v2_<appId>` holding `events_<n>_<appId>[.<codec>]` files and an
 * `appstatus_<appId>[.inprogress]` marker.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codecOfFile, type EventLogCodec } from './codecs';

export interface EventLogFile {
  path: string;
  codec: EventLogCodec;
  /**
   * The file's bytes, for logs that are not on local disk (object storage). Returning early from
   * the generator must release what it holds. @default a read stream of `path`
   */
  open?: (chunkBytes: number) => AsyncGenerator<Uint8Array, void, undefined>;
}

export interface EventLogLocation {
  /** The file, or the rolling directory. */
  path: string;
  kind: 'file' | 'rolling';
  /** Files to read, in order. */
  files: EventLogFile[];
  /** True while Spark still marks the log as being written (or the app died before closing it). */
  inProgress: boolean;
}

/** A directory from spark.eventLog.dir, which may be a file: URI. */
export function eventLogDirPath(dir: string): string {
  return dir.startsWith('file:') ? fileURLToPath(new URL(dir.replace(/^file:\/*/, 'file:///'))) : dir;
}

/** Describes the event log at `path` (a log file or an eventlog_v2_* directory). */
export async function describeEventLog(path: string): Promise<EventLogLocation> {
  const info = await stat(path);
  if (!info.isDirectory()) {
    return {
      path,
      kind: 'file',
      files: [{ path, codec: codecOfFile(path) }],
      inProgress: path.endsWith('.inprogress'),
    };
  }
  const names = await readdir(path);
  const events = names
    .map((name) => ({ name, index: /^events_(\d+)_/.exec(name)?.[1] }))
    .filter((e): e is { name: string; index: string } => e.index !== undefined)
    .sort((a, b) => Number(a.index) - Number(b.index));
  return {
    path,
    kind: 'rolling',
    files: events.map((e) => ({ path: join(path, e.name), codec: codecOfFile(e.name) })),
    inProgress: !names.some((n) => /^appstatus_.+$/.test(n) && !n.endsWith('.inprogress')),
  };
}

/** Finds the event log of `sparkAppId` in `logDir`; undefined when there is none. */
export async function locateEventLog(logDir: string, sparkAppId: string): Promise<EventLogLocation | undefined> {
  const dir = eventLogDirPath(logDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const rolling = `eventlog_v2_${sparkAppId}`;
  if (names.includes(rolling)) return describeEventLog(join(dir, rolling));
  const single = names.find(
    (n) => n === sparkAppId || new RegExp(`^${escape(sparkAppId)}(\\.\\w+)?(\\.inprogress)?$`).test(n),
  );
  return single === undefined ? undefined : describeEventLog(join(dir, basename(single)));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
