/**
 * Finds a Spark event log in object storage and describes it as the event-log reader expects:
 * the files in order, their codec, whether Spark still marks the log in progress. Each file is
 * streamed from the store when the reader gets to it.
 */
import type { RunMetrics } from '../../domain/metrics';
import type { EventLogParseOptions } from '../../metrics/event-log-parser';
import { codecOfFile } from '../eventlog/codecs';
import type { EventLogFile, EventLogLocation } from '../eventlog/event-log-files';
import { readRunMetrics } from '../eventlog/read-event-log';
import { type ObjectStore, ObjectStoreError, type StoredObject } from './object-store';
import { parseObjectUrl } from './object-url';

/** No event log at the URL: Spark never wrote one there (not started, or spark.eventLog.dir overridden). */
export class EventLogNotFoundError extends Error {
  constructor(readonly url: string) {
    super(
      `no Spark event log at ${url}: expected an eventlog_v2_<sparkAppId>/ directory or a <sparkAppId>[.codec][.inprogress] object under it`,
    );
    this.name = 'EventLogNotFoundError';
  }
}

interface Candidate {
  /** Key of the rolling directory or of the single file. */
  key: string;
  kind: 'file' | 'rolling';
  objects: StoredObject[];
  lastModifiedMs: number;
}

const ROLLING_DIR = /^eventlog_v2_/;
const ROLLING_MEMBER = /^(events_\d+_|appstatus_)/;

/**
 * Describes the event log at `url`: the directory Spark was given as spark.eventLog.dir (holding
 * one log, or one per attempt when the application was rerun: the latest written is chosen), an
 * eventlog_v2_* directory, or a single log object. Throws EventLogNotFoundError or ObjectStoreError.
 */
export async function locateObjectEventLog(store: ObjectStore, url: string): Promise<EventLogLocation> {
  const { bucket, key } = parseObjectUrl(url);
  const root = url.slice(0, url.indexOf('://') + 3) + bucket;
  const dirPrefix = key === '' ? '' : `${key}/`;
  let chosen = latest(candidatesUnder(dirPrefix, await listAll(store, bucket, dirPrefix, url)));
  if (!chosen && key !== '') {
    // the URL may name one log object itself
    const exact = (await listAll(store, bucket, key, url)).filter((o) => o.key === key);
    if (exact.length > 0) chosen = { key, kind: 'file', objects: exact, lastModifiedMs: exact[0]!.lastModifiedMs };
  }
  if (!chosen) throw new EventLogNotFoundError(url);

  const fileOf = (objectKey: string): EventLogFile => {
    const path = `${root}/${objectKey}`;
    return { path, codec: codecOfFile(objectKey), open: () => readObject(store, bucket, objectKey, path) };
  };
  if (chosen.kind === 'file') {
    return {
      path: `${root}/${chosen.key}`,
      kind: 'file',
      files: [fileOf(chosen.key)],
      inProgress: chosen.key.endsWith('.inprogress'),
    };
  }
  const names = chosen.objects.map((o) => baseName(o.key));
  const events = chosen.objects
    .map((o) => ({ key: o.key, index: /^events_(\d+)_/.exec(baseName(o.key))?.[1] }))
    .filter((e): e is { key: string; index: string } => e.index !== undefined)
    .sort((a, b) => Number(a.index) - Number(b.index));
  return {
    path: `${root}/${chosen.key}`,
    kind: 'rolling',
    files: events.map((e) => fileOf(e.key)),
    inProgress: !names.some((n) => /^appstatus_.+$/.test(n) && !n.endsWith('.inprogress')),
  };
}

/** The metrics of the event log at `url` (see locateObjectEventLog), streamed from `store`. */
export async function readObjectRunMetrics(
  store: ObjectStore,
  url: string,
  options: EventLogParseOptions = {},
): Promise<RunMetrics> {
  return readRunMetrics(await locateObjectEventLog(store, url), options);
}

async function listAll(store: ObjectStore, bucket: string, prefix: string, url: string): Promise<StoredObject[]> {
  const objects: StoredObject[] = [];
  try {
    for await (const object of store.list(bucket, prefix)) objects.push(object);
  } catch (error) {
    throw new ObjectStoreError(url, 'list', error);
  }
  return objects;
}

async function* readObject(
  store: ObjectStore,
  bucket: string,
  key: string,
  path: string,
): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    yield* store.read(bucket, key);
  } catch (error) {
    throw new ObjectStoreError(path, 'read', error);
  }
}

/** The logs directly under `dirPrefix`, or the rolling directory `dirPrefix` itself. */
function candidatesUnder(dirPrefix: string, objects: StoredObject[]): Candidate[] {
  const byKey = new Map<string, Candidate>();
  const add = (key: string, kind: Candidate['kind'], object: StoredObject) => {
    const candidate = byKey.get(key) ?? { key, kind, objects: [], lastModifiedMs: 0 };
    candidate.objects.push(object);
    candidate.lastModifiedMs = Math.max(candidate.lastModifiedMs, object.lastModifiedMs);
    byKey.set(key, candidate);
  };
  for (const object of objects) {
    const parts = object.key.slice(dirPrefix.length).split('/');
    const name = parts.at(-1)!;
    // directory markers, Hadoop checksums and hidden files are not part of a log
    if (name === '' || name.startsWith('.') || name.endsWith('.crc') || name.endsWith('_$folder$')) continue;
    if (parts.length === 1 && ROLLING_MEMBER.test(name)) add(dirPrefix.replace(/\/$/, ''), 'rolling', object);
    else if (parts.length === 1) add(object.key, 'file', object);
    else if (parts.length === 2 && ROLLING_DIR.test(parts[0]!)) add(dirPrefix + parts[0], 'rolling', object);
  }
  return [...byKey.values()];
}

/** The log written last: a rerun application writes a new log beside the previous attempt's. */
function latest(candidates: Candidate[]): Candidate | undefined {
  return candidates.reduce<Candidate | undefined>(
    (best, c) => (best === undefined || c.lastModifiedMs >= best.lastModifiedMs ? c : best),
    undefined,
  );
}

function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
