import { describe, expect, it } from 'vitest';
import { readRunMetrics } from '../eventlog/read-event-log';
import { appEnd, appStart, taskEnd } from '../../metrics/event-log-fixtures';
import { EventLogNotFoundError, locateObjectEventLog } from './object-event-log';
import { type ObjectStore, ObjectStoreError, type StoredObject } from './object-store';

/** Objects in memory: key -> bytes and modification time; records what was read and closed. */
class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, { data: Buffer; lastModifiedMs: number }>();
  readonly reads: string[] = [];
  failReads = false;

  put(key: string, data: string, lastModifiedMs = 1): this {
    this.objects.set(key, { data: Buffer.from(data), lastModifiedMs });
    return this;
  }

  async *list(_bucket: string, prefix: string): AsyncIterable<StoredObject> {
    for (const key of [...this.objects.keys()].sort()) {
      const o = this.objects.get(key)!;
      if (key.startsWith(prefix)) yield { key, sizeBytes: o.data.length, lastModifiedMs: o.lastModifiedMs };
    }
  }

  async *read(_bucket: string, key: string): AsyncGenerator<Uint8Array, void, undefined> {
    this.reads.push(key);
    if (this.failReads) throw new Error('connection reset');
    const data = this.objects.get(key)!.data;
    // two chunks, so a line is cut between them
    yield data.subarray(0, data.length >> 1);
    yield data.subarray(data.length >> 1);
  }

  close(): void {}
}

const log = (id: string, runTimeMs: number) =>
  [appStart(1_000, id), taskEnd({ runTimeMs }), appEnd(5_000)].join('\n') + '\n';

describe('locateObjectEventLog', () => {
  it('finds the rolling directory under the spark.eventLog.dir prefix, skipping markers and checksums', async () => {
    const store = new MemoryObjectStore()
      .put('e/app-1/', '')
      .put('e/app-1/eventlog_v2_s1/', '')
      .put('e/app-1/eventlog_v2_s1/events_10_s1.zstd', '')
      .put('e/app-1/eventlog_v2_s1/events_9_s1.zstd', '')
      .put('e/app-1/eventlog_v2_s1/.events_9_s1.zstd.crc', '')
      .put('e/app-1/eventlog_v2_s1/appstatus_s1', '');
    const location = await locateObjectEventLog(store, 's3a://b/e/app-1/');
    expect(location).toMatchObject({ path: 's3a://b/e/app-1/eventlog_v2_s1', kind: 'rolling', inProgress: false });
    expect(location.files.map((f) => [f.path, f.codec])).toEqual([
      ['s3a://b/e/app-1/eventlog_v2_s1/events_9_s1.zstd', 'zstd'],
      ['s3a://b/e/app-1/eventlog_v2_s1/events_10_s1.zstd', 'zstd'],
    ]);
  });

  it('accepts a URL naming the rolling directory itself or one log object', async () => {
    const store = new MemoryObjectStore()
      .put('e/eventlog_v2_s1/events_1_s1', log('s1', 7))
      .put('e/eventlog_v2_s1/appstatus_s1.inprogress', '')
      .put('e/s2.lz4.inprogress', '');
    expect(await locateObjectEventLog(store, 'gs://b/e/eventlog_v2_s1')).toMatchObject({
      path: 'gs://b/e/eventlog_v2_s1',
      kind: 'rolling',
      inProgress: true,
    });
    expect(await locateObjectEventLog(store, 's3://b/e/s2.lz4.inprogress')).toMatchObject({
      kind: 'file',
      inProgress: true,
      files: [{ path: 's3://b/e/s2.lz4.inprogress', codec: 'lz4' }],
    });
  });

  it('measures the log written last when a rerun left several attempts under the prefix', async () => {
    const store = new MemoryObjectStore()
      .put('e/app-1/eventlog_v2_s-new/events_1_s-new', log('s-new', 30), 200)
      .put('e/app-1/eventlog_v2_s-new/appstatus_s-new', '', 210)
      .put('e/app-1/eventlog_v2_s-old/events_1_s-old', log('s-old', 10), 100)
      .put('e/app-1/eventlog_v2_s-old/appstatus_s-old', '', 110)
      .put('e/app-1/s-older', log('s-older', 5), 50);
    const metrics = await readRunMetrics(await locateObjectEventLog(store, 's3a://b/e/app-1'), { submittedAtMs: 0 });
    expect(metrics).toMatchObject({ sparkAppId: 's-new', executorRunTimeMs: 30, incomplete: false });
    expect(store.reads).toEqual(['e/app-1/eventlog_v2_s-new/events_1_s-new']);
  });

  it('does not take a sibling prefix for the application (app-1 vs app-10)', async () => {
    const store = new MemoryObjectStore().put('e/app-10/s10', log('s10', 1));
    await expect(locateObjectEventLog(store, 's3a://b/e/app-1')).rejects.toBeInstanceOf(EventLogNotFoundError);
  });

  it('names the object when reading it fails', async () => {
    const store = new MemoryObjectStore().put('e/app-1/s1', log('s1', 1));
    store.failReads = true;
    const reading = readRunMetrics(await locateObjectEventLog(store, 's3a://b/e/app-1'), { submittedAtMs: 0 });
    await expect(reading).rejects.toBeInstanceOf(ObjectStoreError);
    await expect(reading).rejects.toThrow('cannot read s3a://b/e/app-1/s1: Error: connection reset');
  });

  it('refuses a URL that is not object storage, naming it', async () => {
    await expect(locateObjectEventLog(new MemoryObjectStore(), '/tmp/logs')).rejects.toThrow(
      'event log location "/tmp/logs" is not an object-storage URL such as "s3a://bucket/prefix" or "gs://bucket/prefix"',
    );
  });
});
