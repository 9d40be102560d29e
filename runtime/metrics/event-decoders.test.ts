import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stageCompleted, taskEnd } from './event-log-fixtures';
import { decodeEventFast } from './fast-event-decoder';
import { decodeEventFull } from './full-event-decoder';
import {
  editedSparkEvent,
  type Json,
  oddSparkEvent,
  plainSparkEvent,
  reorderedSparkEvent,
} from './spark-event-arbitraries.test-helpers';
import { IGNORED_LINE, REJECTED_LINE } from './spark-events';

const line = (event: unknown): string => JSON.stringify(event);

/** The events the fast decoder reads; it skips the lines of every other type unread. */
const METRIC_EVENT_TYPES = new Set([
  'SparkListenerTaskEnd',
  'SparkListenerStageCompleted',
  'SparkListenerExecutorAdded',
  'SparkListenerExecutorRemoved',
  'SparkListenerStageExecutorMetrics',
  'SparkListenerExecutorMetricsUpdate',
  'SparkListenerApplicationStart',
  'SparkListenerApplicationEnd',
  'SparkListenerEnvironmentUpdate',
]);

/** The lines read without a JSON.parse of the whole line: events without metrics, successful tasks and stages. */
function onTheFastPath(event: Json): boolean {
  const type = String(event.Event);
  if (!METRIC_EVENT_TYPES.has(type)) return true;
  if (type === 'SparkListenerTaskEnd') return (event['Task End Reason'] as Json).Reason === 'Success';
  const stage = event['Stage Info'] as Json | undefined;
  return stage !== undefined && 'Completion Time' in stage && !('Failure Reason' in stage);
}

/** Every cut of the line that ends with "}" (the ones only a parse can tell), and a few others. */
function cutsOf(text: string): string[] {
  const cuts: string[] = [];
  for (let at = text.indexOf('}'); at >= 0 && at < text.length - 1; at = text.indexOf('}', at + 1)) {
    cuts.push(text.slice(0, at + 1));
  }
  for (const fraction of [0.1, 0.5, 0.9]) cuts.push(text.slice(0, Math.floor(text.length * fraction)));
  return cuts;
}

function expectSameDecoding(text: string): void {
  expect(decodeEventFast(text)).toEqual(decodeEventFull(text));
}

describe('the fast and the full event decoder', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('agree on every event as Spark writes it, and the fast one parses no hot line whole', () => {
    fc.assert(
      fc.property(plainSparkEvent, (event) => {
        const text = line(event);
        const parse = vi.spyOn(JSON, 'parse');
        const fast = decodeEventFast(text);
        if (onTheFastPath(event)) expect(parse.mock.calls.map(([parsed]) => parsed)).not.toContain(text);
        parse.mockRestore();
        expect(fast).toEqual(decodeEventFull(text));
      }),
      { numRuns: 500 },
    );
  });

  it('agree on events with values Spark never writes', () => {
    fc.assert(
      fc.property(oddSparkEvent, (event) => expectSameDecoding(line(event))),
      { numRuns: 500 },
    );
  });

  it('agree on events with fields missing, reordered or out of their place', () => {
    fc.assert(
      fc.property(editedSparkEvent, (event) => expectSameDecoding(line(event))),
      { numRuns: 1000 },
    );
  });

  it('agree on arbitrary JSON objects, with or without a known event type first', () => {
    const eventType = fc.constantFrom(
      'SparkListenerTaskEnd',
      'SparkListenerStageCompleted',
      'SparkListenerExecutorAdded',
      'SparkListenerEnvironmentUpdate',
      'SparkListenerTaskStart',
    );
    const object = fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue());
    const typed = fc.tuple(eventType, object).map(([Event, rest]) => ({ Event, ...rest }));
    fc.assert(
      fc.property(fc.oneof(object, typed), (value) => expectSameDecoding(line(value))),
      { numRuns: 1000 },
    );
  });

  it('reject a line cut short, except that the fast one does not look into events without metrics', () => {
    const event = fc.oneof(plainSparkEvent, oddSparkEvent, reorderedSparkEvent);
    fc.assert(
      fc.property(event, (value) => {
        const text = line(value);
        const type = /^\{"Event":"([^"\\]*)"/.exec(text)?.[1];
        const skippedUnread = type !== undefined && !METRIC_EVENT_TYPES.has(type);
        for (const cut of cutsOf(text)) {
          const full = decodeEventFull(cut);
          expect(full).toBe(cut.length === 0 ? IGNORED_LINE : REJECTED_LINE);
          if (skippedUnread && cut.endsWith('}')) expect(decodeEventFast(cut)).toBe(IGNORED_LINE);
          else expect(decodeEventFast(cut)).toBe(full);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('agree on blank lines, lines that are not objects and CRLF endings', () => {
    for (const text of [
      '',
      '  \r',
      '[1,2]',
      '"}"',
      '42',
      '{"Event":"SparkListenerTaskEnd"',
      '\u000b{}',
      `${taskEnd()}\r`,
    ]) {
      expectSameDecoding(text);
    }
  });

  it('agree on a completed stage whose Submission Time stands after its Completion Time, or twice', () => {
    const stage = { 'Stage ID': 0, 'Stage Attempt ID': 0, 'RDD Info': [], 'Completion Time': 9, Accumulables: [] };
    // found by the property above (seed -1819327031): the fast one read 0 where the full one read 1
    expectSameDecoding(
      JSON.stringify({ Event: 'SparkListenerStageCompleted', 'Stage Info': { ...stage, 'Submission Time': 1 } }),
    );
    const spark = stageCompleted(0, 0, undefined, 9);
    expectSameDecoding(spark.replace('"Stage Info":{', '"Stage Info":{"x":{"a":0,"Submission Time":2},'));
  });

  it('agree where a field the fast one reads has a look-alike before it', () => {
    const task = taskEnd({ executorId: '1', executorMetrics: { JVMHeapMemory: 1 } });
    const lookAlikes = [
      // a key that ends like the field
      task.replace('"Task Info":{', '"Task Info":{"x\\"Executor ID":"fake",'),
      // the field inside an object inside Task Info, or inside Task Executor Metrics
      task.replace('"Task Info":{', '"Task Info":{"nested":{"Executor ID":"fake"},'),
      task.replace('"Task Executor Metrics":{', '"Task Executor Metrics":{"nested":{"JVMHeapMemory":999},'),
      // an event type spelled with an escape; a number JSON does not allow
      task.replace('SparkListenerTaskEnd', 'SparkListener\\u0054askEnd'),
      task.replace('"Stage ID":0', '"Stage ID":007'),
    ];
    for (const text of lookAlikes) expectSameDecoding(text);
  });

  it('read the fields the metrics need from a TaskEnd as Spark writes it', () => {
    const text = taskEnd({
      stageId: 3,
      attemptId: 1,
      executorId: '7',
      finishMs: 5000,
      runTimeMs: 40,
      executorMetrics: { JVMHeapMemory: 10, JVMOffHeapMemory: 5, ProcessTreeJVMRSSMemory: 100 },
      remoteRead: 2,
      localRead: 3,
    });
    expect(decodeEventFast(text)).toEqual({
      type: 'taskEnd',
      stageId: 3,
      attemptId: 1,
      reason: 'Success',
      executorId: '7',
      finishTimeMs: 5000,
      metrics: expect.objectContaining({ runTimeMs: 40, cpuTimeNs: 50_000_000, shuffleReadBytes: 5 }),
      peaks: { jvmBytes: 15, rssBytes: 100, pythonRssBytes: 0 },
      pythonWorkerMs: 0,
    });
  });
});
