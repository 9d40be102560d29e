/**
 * Streaming parser of Spark event logs (JSON lines) into RunMetrics: each line goes through the
 * fast decoder (fast-event-decoder.ts), each decoded event into the accumulator
 * (run-metrics-accumulator.ts), and the SQL plans' joins to join-sides.ts. Feed it lines in order;
 * memory is bounded by executors, running stages and SQL plans, never by the log's size.
 *
 * A line that does not decode (the app died mid-write, or a corrupt line) is skipped and sets
 * `incomplete`; so does a log without an application end event.
 */
import type { RunMetrics } from '../domain/metrics';
import { decodeEventFast } from './fast-event-decoder';
import { JoinSideReader } from './join-sides';
import { type EventLogParseOptions, RunMetricsAccumulator } from './run-metrics-accumulator';

export type { EventLogParseOptions } from './run-metrics-accumulator';

export class EventLogParser {
  private readonly accumulator: RunMetricsAccumulator;
  private readonly joins = new JoinSideReader();

  constructor(options: EventLogParseOptions = {}) {
    this.accumulator = new RunMetricsAccumulator(options);
  }

  addLines(lines: readonly string[]): void {
    for (let i = 0; i < lines.length; i++) this.addLine(lines[i]!);
  }

  addLine(line: string): void {
    this.accumulator.add(decodeEventFast(line));
    this.joins.add(line);
  }

  /** The metrics of the lines fed so far. The parser can keep taking lines afterwards. */
  result(): RunMetrics {
    const joins = this.joins.result();
    return { ...this.accumulator.result(), ...(joins.length ? { shuffleJoins: joins } : {}) };
  }

  /** Lines skipped because they did not decode: cut mid-write, or corrupt. */
  get corruptLines(): number {
    return this.accumulator.rejectedLines;
  }
}

/** Parses a whole log: lines or batches of lines, sync or async. */
export async function parseEventLog(
  source: AsyncIterable<string | readonly string[]> | Iterable<string | readonly string[]>,
  options: EventLogParseOptions = {},
): Promise<RunMetrics> {
  const parser = new EventLogParser(options);
  for await (const item of source) {
    if (typeof item === 'string') parser.addLine(item);
    else parser.addLines(item);
  }
  return parser.result();
}
