/**
 * The timeline of an application, live while Spark writes its event log. Per running application
 * it keeps the accumulator and the byte offset read so far in each file of the log, and at each
 * request reads only the complete lines written since (a partial last line waits for the next
 * request). Once the application ended and the log is final, the last bytes are read, the result
 * is kept in a bounded LRU and the live state dropped.
 *
 * A single-file log is renamed from `<id>.inprogress` to `<id>` when Spark closes it: files are
 * known by their name without `.inprogress`, so the offset carries over the rename. A log that
 * cannot be read from an offset (compressed, or in object storage) is read whole at each request.
 */
import type { Application } from '../domain/application';
import { DomainError } from '../domain/errors';
import type { Clock, SparkBackend } from '../domain/ports';
import { isTerminal } from '../domain/states';
import type { ApplicationTimeline } from '../domain/timeline';
import { TimelineAccumulator } from '../metrics/timeline-accumulator';
import { LruCache } from './lru-cache';
import type { Principal } from './principal';

/** One file of an event log, as it is now. */
export interface TailedFile {
  /** Its name without `.inprogress`: the same before and after Spark renames it. */
  key: string;
  path: string;
  /** Uncompressed on local disk: it can be read from a byte offset. */
  seekable: boolean;
}

export interface TailedLog {
  /** In the order Spark wrote them. */
  files: TailedFile[];
  /** Spark still marks the log as being written. */
  inProgress: boolean;
}

/** Reads event logs as they grow. An adapter provides it. */
export interface EventLogTail {
  /** The log at `path` now; undefined when there is none (yet). */
  describe(path: string): Promise<TailedLog | undefined>;
  /**
   * Gives `onLines` the complete lines of `file` from byte `offset` and returns the offset after
   * the last one; with `final`, a last line without its newline is given too.
   */
  readFrom(file: TailedFile, offset: number, final: boolean, onLines: (lines: string[]) => void): Promise<number>;
  /** Every line of the log, in batches (compressed or remote logs). */
  readAll(path: string): AsyncIterable<string[]>;
}

export interface TimelineServiceDeps {
  /** Reads the application for the caller: one it may not see is not found. */
  applications: { get(id: string, actor?: Principal): Promise<Application> };
  backendOf: (clusterId: string) => SparkBackend | undefined;
  tail: EventLogTail;
  clock: Clock;
  /** Timelines of ended applications kept. @default 50 */
  endedCacheSize?: number;
  /** Running applications followed at once; past it the least recently read starts over. @default 200 */
  liveCacheSize?: number;
}

type Locate = () => Promise<{ path: string; log: TailedLog } | undefined>;

interface LiveState {
  accumulator: TimelineAccumulator;
  offsets: Map<string, number>;
  /** Reads of one application run one after another, so no line is read twice. */
  queue: Promise<unknown>;
}

export class TimelineService {
  private readonly ended: LruCache<string, ApplicationTimeline>;
  private readonly live: LruCache<string, LiveState>;

  constructor(private readonly deps: TimelineServiceDeps) {
    this.ended = new LruCache(deps.endedCacheSize ?? 50);
    this.live = new LruCache(deps.liveCacheSize ?? 200);
  }

  async timeline(appId: string, actor?: Principal): Promise<ApplicationTimeline> {
    const app = await this.deps.applications.get(appId, actor);
    const cached = this.ended.get(app.id);
    if (cached !== undefined) return cached;
    // asked again at each read: a single-file log changes its name when Spark closes it
    const locate = async () => {
      const path = this.deps.backendOf(app.clusterId)?.eventLogPath(app);
      const log = path === undefined ? undefined : await this.deps.tail.describe(path);
      return path === undefined || log === undefined ? undefined : { path, log };
    };
    const located = await locate();
    if (located === undefined) throw noLogYet(app);
    const { path, log } = located;
    // a log Spark never closed (the process was killed) is final once the application ended
    const final = !log.inProgress || isTerminal(app.state);
    const accumulator = log.files.every((f) => f.seekable)
      ? await this.follow(app.id, log, final, locate)
      : await this.readWhole(path);
    const result = accumulator.result();
    const timeline: ApplicationTimeline = {
      appId: app.id,
      ...result,
      live: !final,
      asOf: this.deps.clock.now().toISOString(),
    };
    if (!final) delete timeline.endedAt;
    if (final) {
      this.ended.set(app.id, timeline);
      this.live.delete(app.id);
    }
    return timeline;
  }

  private follow(appId: string, log: TailedLog, final: boolean, locate: Locate): Promise<TimelineAccumulator> {
    let state = this.live.get(appId);
    if (state === undefined) {
      state = { accumulator: new TimelineAccumulator(), offsets: new Map(), queue: Promise.resolve() };
      this.live.set(appId, state);
    }
    const s = state;
    const next = s.queue.then(() => this.readNew(s, log, final, locate));
    s.queue = next.catch(() => undefined);
    return next;
  }

  private async readNew(state: LiveState, described: TailedLog, final: boolean, locate: Locate) {
    let log = described;
    for (let attempt = 0; ; attempt++) {
      try {
        for (const [index, file] of log.files.entries()) {
          // a file followed by another is complete: Spark rolled over to the next
          const last = index === log.files.length - 1;
          const from = state.offsets.get(file.key) ?? 0;
          const to = await this.deps.tail.readFrom(file, from, final || !last, (lines) => {
            for (const line of lines) state.accumulator.addLine(line);
          });
          state.offsets.set(file.key, to);
        }
        return state.accumulator;
      } catch (error) {
        // renamed between describing and reading (the end of the run): describe it again, once
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 0) throw error;
        const again = await locate();
        if (again === undefined) throw error;
        log = again.log;
      }
    }
  }

  private async readWhole(path: string): Promise<TimelineAccumulator> {
    const accumulator = new TimelineAccumulator();
    for await (const lines of this.deps.tail.readAll(path)) for (const line of lines) accumulator.addLine(line);
    return accumulator;
  }
}

function noLogYet(app: Application): DomainError {
  const why = isTerminal(app.state)
    ? `it ended ${app.state} without one (it never started, or spark.eventLog.enabled was turned off)`
    : `Spark writes it once the driver starts (the application is ${app.state})`;
  return new DomainError('RESOURCE_NOT_FOUND', `application ${app.id} has no event log yet: ${why}`);
}
