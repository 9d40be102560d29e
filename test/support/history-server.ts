/**
 * What the metrics tests need from a local Spark install: run a small application with event
 * logging (`runSparkApp`, kept small so the local back-end can replace it), and Spark's own
 * History Server on those logs, whose REST API is the reference the runtime's metrics must match.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sparkBinding } from '../../runtime/adapters/local';

/** Spark started by the tests listens on loopback only (see sparkBinding). */
const BINDING = sparkBinding('127.0.0.1');

export function sparkHome(): string {
  const home = process.env.SPARK_HOME;
  if (home === undefined || home === '') {
    throw new Error('SPARK_HOME is not set: `. .sparkplane/env.sh` exports it (and JAVA_HOME, PYSPARK_PYTHON)');
  }
  return home;
}

export interface SparkRun {
  /** The event log written by the run (file or eventlog_v2_* directory). */
  eventLogPath: string;
  submittedAtMs: number;
}

/** Runs `script` (PySpark source) with spark-submit on local[2], logging events to `eventLogDir`. */
export async function runSparkApp(
  script: string,
  eventLogDir: string,
  conf: Record<string, string> = {},
): Promise<SparkRun> {
  const work = mkdtempSync(join(tmpdir(), 'sparkplane-app-'));
  try {
    const scriptPath = join(work, 'app.py');
    writeFileSync(scriptPath, script);
    mkdirSync(eventLogDir, { recursive: true });
    const before = new Set(readdirSync(eventLogDir));
    const args = [
      '--master',
      'local[2]',
      '--conf',
      'spark.eventLog.enabled=true',
      '--conf',
      `spark.eventLog.dir=${eventLogDir}`,
    ];
    for (const [key, value] of Object.entries({ 'spark.ui.enabled': 'false', ...BINDING.conf, ...conf }))
      args.push('--conf', `${key}=${value}`);
    const submittedAtMs = Date.now();
    await new Promise<void>((resolve, reject) => {
      execFile(
        join(sparkHome(), 'bin', 'spark-submit'),
        [...args, scriptPath, join(work, 'out')],
        { env: { ...process.env, ...BINDING.env }, timeout: 240_000, maxBuffer: 64 << 20 },
        (error, _stdout, stderr) => {
          if (error === null) resolve();
          else reject(new Error(`spark-submit failed (${error.message}):\n${stderr.slice(-3000)}`));
        },
      );
    });
    const written = readdirSync(eventLogDir).filter((name) => !before.has(name));
    if (written.length !== 1)
      throw new Error(`expected one new event log in ${eventLogDir}, found ${written.join(', ')}`);
    return { eventLogPath: join(eventLogDir, written[0]!), submittedAtMs };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface HistoryServer {
  url: string;
  /** GET a path of the REST API (`/api/v1/...`) as JSON. */
  get<T>(path: string): Promise<T>;
  stop(): void;
}

/** Starts Spark's History Server on `logDir` and waits until it lists `expectAppIds`. */
export async function startHistoryServer(
  logDir: string,
  expectAppIds: string[],
  timeoutMs = 120_000,
): Promise<HistoryServer> {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), 'sparkplane-history-'));
  const env = {
    ...process.env,
    // the History Server's UI and REST API bind to SPARK_LOCAL_IP (else every interface)
    ...BINDING.env,
    SPARK_LOG_DIR: join(state, 'logs'),
    SPARK_PID_DIR: join(state, 'pids'),
    SPARK_IDENT_STRING: `sparkplane-test-${port}`,
    // the launcher refuses -Xmx in SPARK_HISTORY_OPTS
    SPARK_DAEMON_MEMORY: '512m',
    SPARK_HISTORY_OPTS: [
      `-Dspark.history.fs.logDirectory=file://${logDir}`,
      `-Dspark.history.ui.port=${port}`,
      '-Dspark.history.fs.update.interval=1s',
    ].join(' '),
  };
  const script = (name: string) => join(sparkHome(), 'sbin', name);
  const started = spawnSync(script('start-history-server.sh'), [], { env, encoding: 'utf8' });
  const stop = () => {
    spawnSync(script('stop-history-server.sh'), [], { env, encoding: 'utf8' });
    rmSync(state, { recursive: true, force: true });
  };
  if (started.status !== 0) {
    stop();
    throw new Error(`start-history-server.sh exited with ${started.status}: ${started.stderr}`);
  }
  const url = `http://127.0.0.1:${port}`;
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(url + path);
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const apps = await get<{ id: string }[]>('/api/v1/applications');
      if (expectAppIds.every((id) => apps.some((a) => a.id === id))) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const logDir = join(state, 'logs');
      const log = readdirSync(logDir)
        .map((name) => readFileSync(join(logDir, name), 'utf8').slice(-3000))
        .join('\n');
      stop();
      throw new Error(`History Server did not list ${expectAppIds.join(', ')} within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { url, get, stop };
}
