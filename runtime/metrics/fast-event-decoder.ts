/**
 * The fast decoder, the one the parser uses. For a line it either gives what decodeEventFull
 * gives, or hands the line to it; it reads most of a log's bytes without a JSON.parse of the line,
 * with the string searches the engine runs natively (a loop over characters in JavaScript is no
 * faster than JSON.parse).
 *
 * - The event type is read with a string test: Spark writes it first.
 * - An event that carries no metric (TaskStart, JobStart, SQL events...) is skipped unread.
 * - A successful TaskEnd (most of a log's bytes) in Spark's field order: a few fields are read
 *   where Spark puts them, and only "Task Metrics" goes through JSON.parse.
 * - A completed StageCompleted in Spark's field order: three integers and its last fields.
 * - Everything else (rare events, failed tasks and stages, other field orders, escapes where
 *   a value is read) goes to the full decoder.
 *
 * Each read is checked to be at its place (a field of the right object, not text that looks like
 * one), and a line cut short is rejected. The limits are outside what Spark writes: a key is taken
 * to be written once, "Completion Time" to be Stage Info's, and a line cut right after a
 * "Task Metrics" object (or an array and scalars) nested where Spark puts none may pass as whole.
 * A line of an event without metrics is not looked into: cut short or corrupt, it is ignored where
 * the full decoder rejects it; looking would cost about what a JSON.parse of it does.
 */
import { decodeEventFull, memoryPeaks, taskMetricsOf } from './full-event-decoder';
import {
  type DecodedLine,
  IGNORED_LINE,
  PYTHON_RUN_TIME_METRIC,
  REJECTED_LINE,
  type StageCompletedEvent,
  type TaskEndEvent,
  trimLineEnd,
} from './spark-events';

const EVENT_PREFIX = '{"Event":"';
const METRICS_FIELD = ',"Task Metrics":{';
const EXECUTOR_METRICS_FIELD = ',"Task Executor Metrics":{';
const COMPLETION_FIELD = ',"Completion Time":';
const SUBMISSION_FIELD = ',"Submission Time":';
const PYTHON_RUN_TIME_NAME = `"Name":"${PYTHON_RUN_TIME_METRIC}","Update":"`;

const QUOTE = 34;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const COMMA = 44;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const DOT = 46;
const LOWER_E = 101;
const UPPER_E = 69;
/** Up to 15 digits an integer is exact as a double, whichever way it is read. */
const EXACT_DIGITS = 15;

export function decodeEventFast(raw: string): DecodedLine {
  const line = trimLineEnd(raw);
  if (line.length === 0) return IGNORED_LINE;
  // every event is one JSON object: a line cut short cannot end with its closing brace
  if (line.charCodeAt(line.length - 1) !== CLOSE_BRACE) return REJECTED_LINE;
  if (!line.startsWith(EVENT_PREFIX)) return decodeEventFull(line);
  const typeEnd = line.indexOf('"', EVENT_PREFIX.length);
  if (typeEnd < 0) return REJECTED_LINE;
  const type = line.slice(EVENT_PREFIX.length, typeEnd);
  switch (type) {
    case 'SparkListenerTaskEnd':
      return readSuccessfulTaskEnd(line, typeEnd + 1) ?? decodeEventFull(line);
    case 'SparkListenerStageCompleted':
      return readCompletedStage(line, typeEnd + 1) ?? decodeEventFull(line);
    case 'SparkListenerStageExecutorMetrics':
    case 'SparkListenerExecutorMetricsUpdate':
    case 'SparkListenerExecutorAdded':
    case 'SparkListenerExecutorRemoved':
    case 'SparkListenerApplicationStart':
    case 'SparkListenerApplicationEnd':
    case 'SparkListenerEnvironmentUpdate':
      return decodeEventFull(line);
    default:
      // an escape in the type may spell one of the types above
      return type.includes('\\') ? decodeEventFull(line) : IGNORED_LINE;
  }
}

/**
 * Spark writes: Event, Stage ID, Stage Attempt ID, Task Type, Task End Reason, Task Info (scalars,
 * then Accumulables), Task Executor Metrics (since 3.0), Task Metrics. The Accumulables are about
 * half the line: the fields after them are found from the end of the line instead. Undefined when
 * the line is not in that order.
 */
function readSuccessfulTaskEnd(line: string, from: number): TaskEndEvent | undefined {
  const c = new LineCursor(line, from);
  const stage = c.skip(',') ? readStageAttempt(c) : undefined;
  if (stage === undefined || !c.skip(',"Task Type":') || c.plainString() === undefined) return undefined;
  if (!c.skip(',"Task End Reason":{"Reason":"Success"},"Task Info":{')) return undefined;
  const info = c.at;
  // no closing brace before Accumulables, so no object inside: every key found there is Task Info's own
  const accumulablesAt = line.indexOf(',"Accumulables":', info);
  if (accumulablesAt < 0 || line.indexOf('}', info) < accumulablesAt) return undefined;
  c.at = valueAt(line, '"Executor ID":', info, accumulablesAt);
  const executorId = c.plainString();
  c.at = valueAt(line, '"Finish Time":', info, accumulablesAt);
  const finishTimeMs = c.int();
  if (executorId === undefined || Number.isNaN(finishTimeMs)) return undefined;
  const metricsAt = line.lastIndexOf(METRICS_FIELD);
  if (metricsAt < accumulablesAt) return undefined;
  const executorMetricsAt = line.lastIndexOf(EXECUTOR_METRICS_FIELD, metricsAt);
  let peaks = memoryPeaks(0, 0, 0, 0, 0);
  if (executorMetricsAt > accumulablesAt) {
    const open = executorMetricsAt + EXECUTOR_METRICS_FIELD.length - 1;
    // its first closing brace is right before Task Metrics: a flat object, and a field of the event
    if (line.indexOf('}', open) !== metricsAt - 1) return undefined;
    peaks = memoryPeaks(
      intField(line, '"JVMHeapMemory":', open, metricsAt),
      intField(line, '"JVMOffHeapMemory":', open, metricsAt),
      intField(line, '"ProcessTreeJVMRSSMemory":', open, metricsAt),
      intField(line, '"ProcessTreePythonRSSMemory":', open, metricsAt),
      intField(line, '"ProcessTreeOtherRSSMemory":', open, metricsAt),
    );
    if (Number.isNaN(peaks.jvmBytes + peaks.rssBytes + peaks.pythonRssBytes)) return undefined;
  }
  const pythonWorkerMs = pythonWorkerMsIn(
    line,
    accumulablesAt,
    executorMetricsAt > accumulablesAt ? executorMetricsAt : metricsAt,
  );
  if (Number.isNaN(pythonWorkerMs)) return undefined;
  let metrics: Record<string, unknown>;
  try {
    // Task Metrics runs to the event's closing brace: were it not a field of the event itself,
    // or were the line cut short, its object would not parse on its own
    metrics = JSON.parse(line.slice(metricsAt + METRICS_FIELD.length - 1, line.length - 1)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  return {
    type: 'taskEnd',
    stageId: stage.stageId,
    attemptId: stage.attemptId,
    reason: 'Success',
    executorId,
    finishTimeMs,
    metrics: taskMetricsOf(metrics),
    peaks,
    pythonWorkerMs,
  };
}

/**
 * The sum of the Python workers' run-time updates in the Accumulables at line[from, to), as
 * Spark writes them (`{"ID":…,"Name":"time to run Python workers","Update":"1751",…}`); NaN when
 * one is written otherwise, for the full decoder to read.
 */
function pythonWorkerMsIn(line: string, from: number, to: number): number {
  let total = 0;
  for (
    let at = line.indexOf(PYTHON_RUN_TIME_NAME, from);
    at >= 0 && at < to;
    at = line.indexOf(PYTHON_RUN_TIME_NAME, at + 1)
  ) {
    if (line.charCodeAt(at - 1) !== COMMA) return NaN;
    const c = new LineCursor(line, at + PYTHON_RUN_TIME_NAME.length);
    const value = c.int();
    if (Number.isNaN(value) || !c.skip('"')) return NaN;
    total += value;
  }
  return total;
}

/**
 * Spark writes: Event, Stage Info, whose Stage ID and Stage Attempt ID come first, then RDD Info
 * and Details (the bulk of the line), Completion Time, Failure Reason when the stage failed,
 * Accumulables, and a few scalars. Undefined for a failed stage or a line not in that order.
 */
function readCompletedStage(line: string, from: number): StageCompletedEvent | undefined {
  const c = new LineCursor(line, from);
  const stage = c.skip(',"Stage Info":{') ? readStageAttempt(c) : undefined;
  if (stage === undefined || line.includes('"Failure Reason":', c.at)) return undefined;
  const completionAt = line.indexOf(COMPLETION_FIELD, c.at);
  if (completionAt < 0) return undefined;
  c.at = completionAt + COMPLETION_FIELD.length;
  const completedAtMs = c.int();
  // Spark writes Submission Time right before Completion Time; once anywhere else (or twice), the full decoder reads it
  const submission = line.indexOf(SUBMISSION_FIELD, from);
  const submittedAtMs =
    submission < 0 ? 0 : submission === line.lastIndexOf(SUBMISSION_FIELD) ? submittedAt(line, completionAt) : NaN;
  // The line must end with Stage Info's last array (Accumulables), scalars, and the braces of
  // Stage Info and the event. In the events Spark writes, no array before that is followed by
  // scalars closing two objects: so a line cut short, even right after a brace, fails here.
  const lastArrayEnd = line.lastIndexOf(']');
  if (Number.isNaN(completedAtMs) || lastArrayEnd < c.at) return undefined;
  const afterArray = line.charCodeAt(lastArrayEnd + 1);
  if (afterArray !== COMMA && afterArray !== CLOSE_BRACE) return undefined;
  // "],…}}" -> "{…}", "]}}" -> "{}"
  if (!isObjectText(`{${line.slice(lastArrayEnd + (afterArray === COMMA ? 2 : 1), -1)}`)) return undefined;
  if (Number.isNaN(submittedAtMs)) return undefined;
  return {
    type: 'stageCompleted',
    stageId: stage.stageId,
    attemptId: stage.attemptId,
    completedAtMs,
    submittedAtMs,
    failed: false,
  };
}

/** The Submission Time written right before Completion Time at `completionAt`; 0 when absent there, NaN when not an integer. */
function submittedAt(line: string, completionAt: number): number {
  const before = line.lastIndexOf(SUBMISSION_FIELD, completionAt);
  if (before < 0) return NaN;
  const c = new LineCursor(line, before + SUBMISSION_FIELD.length);
  const value = c.int();
  // elsewhere than right before Completion Time: not read here, the full decoder reads it
  return c.at === completionAt ? value : NaN;
}

/** `"Stage ID":…,"Stage Attempt ID":…`, as both hot events open; undefined when not two integers. */
function readStageAttempt(c: LineCursor): { stageId: number; attemptId: number } | undefined {
  if (!c.skip('"Stage ID":')) return undefined;
  const stageId = c.int();
  if (Number.isNaN(stageId) || !c.skip(',"Stage Attempt ID":')) return undefined;
  const attemptId = c.int();
  return Number.isNaN(attemptId) ? undefined : { stageId, attemptId };
}

function isObjectText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the value of `key` starts in line[from, to), a range of one object with no object inside;
 * -1 when absent. A key follows "{" or ",": anything else is the end of a longer key that merely
 * ends the same way (`"a\"Finish Time":`).
 */
function valueAt(line: string, key: string, from: number, to: number): number {
  const at = line.indexOf(key, from);
  if (at < 0 || at >= to) return -1;
  const before = line.charCodeAt(at - 1);
  return before === COMMA || before === OPEN_BRACE ? at + key.length : -1;
}

/** The integer value of `key` in line[from, to), found as valueAt() does: 0 when absent, NaN when not an integer. */
function intField(line: string, key: string, from: number, to: number): number {
  const at = line.indexOf(key, from);
  if (at < 0 || at >= to) return 0;
  return new LineCursor(line, valueAt(line, key, at, to)).int();
}

/** A position in a line of JSON, moved forward by the reads that succeed. */
class LineCursor {
  constructor(
    private readonly line: string,
    public at: number,
  ) {}

  /** Steps over `text` when the line continues with it. */
  skip(text: string): boolean {
    if (!this.line.startsWith(text, this.at)) return false;
    this.at += text.length;
    return true;
  }

  /** An integer without fraction or exponent, of at most 15 digits (so exact); NaN otherwise. */
  int(): number {
    const line = this.line;
    let i = this.at;
    if (i < 0) return NaN;
    const negative = line.charCodeAt(i) === MINUS;
    if (negative) i++;
    const first = i;
    let value = 0;
    for (let c = line.charCodeAt(i); c >= ZERO && c <= NINE; c = line.charCodeAt(++i)) value = value * 10 + (c - ZERO);
    const digits = i - first;
    const next = line.charCodeAt(i);
    if (digits === 0 || digits > EXACT_DIGITS || next === DOT || next === LOWER_E || next === UPPER_E) return NaN;
    // JSON has no leading zeros
    if (digits > 1 && line.charCodeAt(first) === ZERO) return NaN;
    this.at = i;
    return negative ? -value : value;
  }

  /** A string without escapes; undefined otherwise. */
  plainString(): string | undefined {
    const line = this.line;
    if (this.at < 0 || line.charCodeAt(this.at) !== QUOTE) return undefined;
    const end = line.indexOf('"', this.at + 1);
    if (end < 0) return undefined;
    const text = line.slice(this.at + 1, end);
    // a backslash anywhere: an escape to decode, or the closing quote found is an escaped one
    if (text.includes('\\')) return undefined;
    this.at = end + 1;
    return text;
  }
}
