import { describe, expect, it } from 'vitest';
import type { Application } from '../domain/application';
import { DomainError } from '../domain/errors';
import type { SparkBackend } from '../domain/ports';
import { appEnd, appStart, jobEnd, jobStart, taskEnd } from '../metrics/event-log-fixtures';
import { type EventLogTail, type TailedFile, TimelineService } from './timeline-service';

/** Files in memory; `renamed` names a file that is gone once read (moved between describe and read). */
class MemoryTail implements EventLogTail {
  readonly files = new Map<string, string>();
  inProgress = true;
  readonly reads: { path: string; offset: number }[] = [];
  vanishOnce: string | undefined;
  /** What happens when the vanishing file is read: Spark renamed it. */
  onVanish: () => void = () => undefined;

  async describe(path: string) {
    const text = this.files.get(path);
    if (text === undefined) return undefined;
    return { inProgress: this.inProgress, files: [{ key: path.replace(/\.inprogress$/, ''), path, seekable: true }] };
  }

  async readFrom(file: TailedFile, offset: number, final: boolean, onLines: (lines: string[]) => void) {
    this.reads.push({ path: file.path, offset });
    if (this.vanishOnce === file.path) {
      this.vanishOnce = undefined;
      this.onVanish();
      throw Object.assign(new Error('gone'), { code: 'ENOENT' });
    }
    // yield to the event loop, as a file read does, so concurrent requests interleave
    await new Promise((resolve) => setImmediate(resolve));
    const text = this.files.get(file.path)!.slice(offset);
    const end = final ? text.length : text.lastIndexOf('\n') + 1;
    onLines(text.slice(0, end).split('\n'));
    return offset + end;
  }

  async *readAll(): AsyncIterable<string[]> {}
}

const app = (state: Application['state']) => ({ id: 'a1', clusterId: 'c', state }) as Application;

function service(tail: MemoryTail, current: { state: Application['state']; path: string }) {
  return new TimelineService({
    applications: {
      get: async (id) => {
        if (id !== 'a1') throw new DomainError('RESOURCE_NOT_FOUND', `no application ${id}`);
        return app(current.state);
      },
    },
    backendOf: () => ({ eventLogPath: () => current.path }) as unknown as SparkBackend,
    tail,
    clock: { now: () => new Date('2026-12-03T10:00:00Z') },
  });
}

const LINES = [appStart(1000), jobStart(0, 1000, [0]), taskEnd({ finishMs: 1500 }), jobEnd(0, 1600), appEnd(2000)];

describe('TimelineService', () => {
  it('reads each line once when requests come at the same time', async () => {
    const tail = new MemoryTail();
    tail.files.set('/l/app.inprogress', `${LINES.slice(0, 3).join('\n')}\n`);
    const timelines = service(tail, { state: 'RUNNING', path: '/l/app.inprogress' });
    const [a, b] = await Promise.all([timelines.timeline('a1'), timelines.timeline('a1')]);
    expect(a.stages[0]!.completedTasks).toBe(1);
    expect(b.stages[0]!.completedTasks).toBe(1);
    expect(tail.reads.map((r) => r.offset)).toEqual([0, tail.files.get('/l/app.inprogress')!.length]);
  });

  it('finds the log again when it is renamed between describing and reading it', async () => {
    const tail = new MemoryTail();
    const current = { state: 'RUNNING' as Application['state'], path: '/l/app.inprogress' };
    const head = `${LINES.slice(0, 3).join('\n')}\n`;
    tail.files.set('/l/app.inprogress', head);
    const timelines = service(tail, current);
    expect((await timelines.timeline('a1')).live).toBe(true);

    // the run ends; Spark renames the file after the service described it, before it read it
    tail.vanishOnce = '/l/app.inprogress';
    tail.onVanish = () => {
      tail.files.delete('/l/app.inprogress');
      tail.files.set('/l/app', `${LINES.join('\n')}\n`);
      tail.inProgress = false;
      current.path = '/l/app';
    };
    current.state = 'COMPLETED';
    const final = await timelines.timeline('a1');
    expect(final).toMatchObject({ live: false, endedAt: 2000 });
    expect(final.jobs).toEqual([expect.objectContaining({ result: 'succeeded' })]);
    expect(final.stages[0]!.completedTasks).toBe(1);
    // the final file was read from where the in-progress one was left
    expect(tail.reads.at(-1)).toEqual({ path: '/l/app', offset: head.length });
  });

  it('says why there is no timeline when there is no log yet', async () => {
    const tail = new MemoryTail();
    await expect(service(tail, { state: 'RUNNING', path: '/none' }).timeline('a1')).rejects.toThrow(
      'application a1 has no event log yet: Spark writes it once the driver starts (the application is RUNNING)',
    );
    await expect(service(tail, { state: 'KILLED', path: '/none' }).timeline('a1')).rejects.toThrow(
      /it ended KILLED without one/,
    );
  });

  it('treats the log of an ended application as final even if Spark never closed it', async () => {
    const tail = new MemoryTail();
    // killed mid-write: the last line is cut and never completed
    tail.files.set('/l/app.inprogress', `${LINES.slice(0, 2).join('\n')}\n${LINES[2]!.slice(0, 50)}`);
    const t = await service(tail, { state: 'KILLED', path: '/l/app.inprogress' }).timeline('a1');
    expect(t.live).toBe(false);
    expect(t.stages).toEqual([]);
    expect(t.jobs).toEqual([expect.objectContaining({ result: 'running' })]);
  });
});
