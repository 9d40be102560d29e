/**
 * Airflow from the pinned virtual environments (.venv/airflow2, .venv/airflow2-connect, .venv/airflow3, .venv/airflow3-ocean, made by
 * scripts/python-envs.sh): a throw-away AIRFLOW_HOME with its metadata database migrated, and
 * `airflow` or `python` commands run in it with their output captured, never echoed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY } from '../support/spark';

export type AirflowVenv = 'airflow2' | 'airflow2-connect' | 'airflow3' | 'airflow3-ocean';

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved as they came. */
  output: string;
}

export interface Started {
  pid: number;
  done: Promise<Run>;
  /** The output so far. */
  output(): string;
}

export interface Airflow {
  home: string;
  env: NodeJS.ProcessEnv;
  /**
   * Starts `<venv>/bin/<program> ...args` in the Airflow home, with `env` over the home's; stopped
   * with SIGKILL after timeoutMillis.
   */
  start(program: 'airflow' | 'python', args: string[], timeoutMillis: number, env?: Record<string, string>): Started;
  run(program: 'airflow' | 'python', args: string[], timeoutMillis: number, env?: Record<string, string>): Promise<Run>;
  close(): void;
}

/**
 * A new Airflow home for `venv` whose DAGs folder is `dagsFolder`, with `env` (connections as
 * AIRFLOW_CONN_*, SPARKPLANE_URL...) added to every command's environment.
 */
export async function airflowHome(
  venv: AirflowVenv,
  dagsFolder: string,
  env: Record<string, string>,
): Promise<Airflow> {
  const bin = join(REPOSITORY, '.venv', venv, 'bin');
  if (!existsSync(join(bin, 'airflow'))) {
    throw new Error(`${bin}/airflow is missing: run \`bash scripts/python-envs.sh\` (scripts/setup.sh --test runs it)`);
  }
  const home = mkdtempSync(join(tmpdir(), `sparkplane-${venv}-`));
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    AIRFLOW_HOME: home,
    AIRFLOW__CORE__DAGS_FOLDER: dagsFolder,
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION: 'False',
    // task logs go to the console of `dags test`, where the test reads them
    AIRFLOW__LOGGING__LOGGING_LEVEL: 'INFO',
    PYTHONUNBUFFERED: '1',
    NO_COLOR: '1',
    ...env,
  };
  const start = (
    program: 'airflow' | 'python',
    args: string[],
    timeoutMillis: number,
    env: Record<string, string> = {},
  ): Started => {
    const child = spawn(join(bin, program), args, {
      cwd: home,
      env: { ...fullEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMillis);
    const done = new Promise<Run>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, output: withoutRunnerSummaries(output) });
      });
    });
    return { pid: child.pid ?? -1, done, output: () => output };
  };
  const run = (program: 'airflow' | 'python', args: string[], timeoutMillis: number, env?: Record<string, string>) =>
    start(program, args, timeoutMillis, env).done;
  const migrated = await run('airflow', ['db', 'migrate'], 180_000);
  if (migrated.code !== 0) throw new Error(`airflow db migrate failed (${migrated.code}):\n${tail(migrated.output)}`);
  return {
    home,
    env: fullEnv,
    start,
    run,
    close: () => rmSync(home, { recursive: true, force: true, maxRetries: 3 }),
  };
}

/**
 * CI reads a line like `=== 2 passed in 4.1s ===` (pytest's closing line) or `2 passed, 0 failed`
 * anywhere in the output as a test run of its own: such lines never reach an assertion message.
 */
export function withoutRunnerSummaries(text: string): string {
  return text
    .replace(/^=+ .* =+$/gm, '')
    .replace(/^\W*\d+ (passed|failed|errors?|skipped|deselected|xfailed|xpassed|warnings?)\b.*$/gm, '');
}

/**
 * Runs the pytest files of `testsDir` in the Airflow home; answers what its JUnit report counts
 * (pytest's own summary lines never leave this function, see withoutRunnerSummaries).
 */
export async function pytest(
  airflow: Airflow,
  testsDir: string,
): Promise<{ tests: number; failures: number; errors: number; skipped: number; output: string }> {
  const report = join(airflow.home, `pytest-${Date.now()}.xml`);
  const run = await airflow.run(
    'python',
    ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-o', 'addopts=', `--junitxml=${report}`, testsDir],
    180_000,
  );
  if (!existsSync(report)) throw new Error(`pytest wrote no report (exit ${run.code}):\n${tail(run.output)}`);
  const suite = /<testsuite [^>]*>/.exec(readFileSync(report, 'utf8'))?.[0] ?? '';
  const count = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? NaN);
  return {
    tests: count('tests'),
    failures: count('failures'),
    errors: count('errors'),
    skipped: count('skipped'),
    output: run.output,
  };
}

/** The last lines of a command's output, for a failure message. */
export function tail(text: string, lines = 80): string {
  return text.split('\n').slice(-lines).join('\n');
}
