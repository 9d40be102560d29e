/**
 * Event-log parser benchmark: builds a large log (>= 1 GB by default) by repeating the events of
 * a real local Spark run, then measures, each in its own child process (so peak RSS is its own):
 * the project's parser reading through the event-log file adapter, and a bare loop of line
 * splitting + JSON.parse over the same file. Prints MB/s of each, their ratio and the parser's
 * peak RSS; the last line is the summary.
 *
 *   npm run bench:eventlog [-- --from <event log file or dir>] [--size-mb 1024] [--keep]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readRunMetrics } from '../runtime/adapters/eventlog/read-event-log';
import { bareParse } from './eventlog/bare-loop';
import { generateLargeLog } from './eventlog/generate';
import { recordRealLog } from './eventlog/real-log';

interface Measurement {
  bytes: number;
  seconds: number;
  peakRssMB: number;
  detail: string;
}

const MB = 1e6;

/** Child process side: measure one reader over the file and print the measurement as JSON. */
async function measure(kind: string, path: string): Promise<void> {
  const bytes = statSync(path).size;
  const started = process.hrtime.bigint();
  let detail: string;
  if (kind === 'parser') {
    const m = await readRunMetrics(path);
    detail = `tasks=${m.tasks.completed} stages=${m.stages.completed} inputBytes=${m.inputBytes} incomplete=${m.incomplete}`;
  } else {
    detail = `lines=${await bareParse(path)}`;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  const result: Measurement = { bytes, seconds, peakRssMB, detail };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function runChild(kind: string, path: string): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--measure', kind, path], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${kind} measurement exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as Measurement);
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      measure: { type: 'string' },
      from: { type: 'string' },
      'size-mb': { type: 'string', default: '1024' },
      keep: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    args: process.argv.slice(2),
  });
  if (values.measure !== undefined) {
    const path = process.argv[process.argv.length - 1]!;
    return measure(values.measure, path);
  }
  const workDir = mkdtempSync(join(tmpdir(), 'sparkplane-eventlog-bench-'));
  try {
    const source = values.from ?? recordRealLog(workDir);
    const logPath = join(workDir, 'large-eventlog.jsonl');
    const targetBytes = Number(values['size-mb']) * 1024 * 1024;
    const generated = await generateLargeLog(source, logPath, targetBytes);
    console.log(
      `generated ${(generated.bytes / MB).toFixed(0)} MB from ${source}: ${generated.repetitions} repetitions, ` +
        `${generated.taskEndsPerRepetition} TaskEnd events each`,
    );
    const bare = await runChild('bare', logPath);
    console.log(
      `bare   ${(bare.bytes / MB / bare.seconds).toFixed(1)} MB/s  ${bare.seconds.toFixed(2)} s  peakRSS=${bare.peakRssMB.toFixed(0)}MB  ${bare.detail}`,
    );
    const parser = await runChild('parser', logPath);
    console.log(
      `parser ${(parser.bytes / MB / parser.seconds).toFixed(1)} MB/s  ${parser.seconds.toFixed(2)} s  peakRSS=${parser.peakRssMB.toFixed(0)}MB  ${parser.detail}`,
    );
    const parserMBs = parser.bytes / MB / parser.seconds;
    const bareMBs = bare.bytes / MB / bare.seconds;
    console.log(
      `eventlog parser/bare ratio=${(parserMBs / bareMBs).toFixed(2)} parser=${parserMBs.toFixed(1)}MB/s ` +
        `bare=${bareMBs.toFixed(1)}MB/s peakRSS=${parser.peakRssMB.toFixed(0)}MB`,
    );
  } finally {
    if (values.keep) console.log(`kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
