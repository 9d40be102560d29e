/**
 * Makes a large event log from a real one: its start events once (log start, executors,
 * environment, application start), then its job/stage/task events repeated until the size is
 * reached, then its application end. Writes one prebuilt buffer per repetition, so generating
 * 1 GB takes about as long as the disk needs.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { readEventLogLines } from '../../runtime/adapters/eventlog/read-event-log';

const HEADER_EVENTS = new Set([
  'SparkListenerLogStart',
  'SparkListenerResourceProfileAdded',
  'SparkListenerExecutorAdded',
  'SparkListenerBlockManagerAdded',
  'SparkListenerEnvironmentUpdate',
  'SparkListenerApplicationStart',
]);

function eventType(line: string): string {
  return /^\{"Event":"([^"]+)"/.exec(line)?.[1] ?? '';
}

export interface GeneratedLog {
  bytes: number;
  repetitions: number;
  /** TaskEnd events per repetition. */
  taskEndsPerRepetition: number;
}

/** Writes a log of at least `targetBytes` to `outPath`, built from the log at `sourcePath`. */
export async function generateLargeLog(
  sourcePath: string,
  outPath: string,
  targetBytes: number,
): Promise<GeneratedLog> {
  const header: string[] = [];
  const body: string[] = [];
  const footer: string[] = [];
  for await (const lines of readEventLogLines(sourcePath)) {
    for (const line of lines) {
      const type = eventType(line);
      if (HEADER_EVENTS.has(type)) header.push(line);
      else if (type === 'SparkListenerApplicationEnd') footer.push(line);
      else body.push(line);
    }
  }
  const headerBuf = Buffer.from(header.map((l) => l + '\n').join(''));
  const bodyBuf = Buffer.from(body.map((l) => l + '\n').join(''));
  const footerBuf = Buffer.from(footer.map((l) => l + '\n').join(''));
  if (bodyBuf.length === 0) throw new Error(`${sourcePath}: no job, stage or task event to repeat`);
  const fd = openSync(outPath, 'w');
  let bytes = writeSync(fd, headerBuf);
  let repetitions = 0;
  while (bytes + footerBuf.length < targetBytes) {
    bytes += writeSync(fd, bodyBuf);
    repetitions++;
  }
  bytes += writeSync(fd, footerBuf);
  closeSync(fd);
  return {
    bytes,
    repetitions,
    taskEndsPerRepetition: body.filter((l) => eventType(l) === 'SparkListenerTaskEnd').length,
  };
}
