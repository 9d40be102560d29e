/** Helpers of the tests that run real Spark: the install, test applications, a jar built at test time. */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Application } from '../../runtime/domain/application';
import type { ApplicationConfig } from '../../runtime/domain/config';

export const REPOSITORY = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface SparkEnv {
  sparkHome: string;
  javaHome: string;
  pythonPath: string;
}

/** The Spark install from the environment; throws naming what is missing and how to get it. */
export function sparkEnv(env: NodeJS.ProcessEnv = process.env): SparkEnv {
  const missing = ['SPARK_HOME', 'JAVA_HOME', 'PYSPARK_PYTHON'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not set: run the Spark tests after \`. .sparkplane/env.sh\``);
  }
  return { sparkHome: env.SPARK_HOME!, javaHome: env.JAVA_HOME!, pythonPath: env.PYSPARK_PYTHON! };
}

/** An application record as the runtime would hand it to a back-end: defaults plus overrides. */
export function testApplication(
  id: string,
  config: ApplicationConfig,
  overrides: Partial<Application> = {},
): Application {
  const now = new Date().toISOString();
  return {
    id,
    clusterId: 'local',
    jobId: 'local-backend-test',
    state: 'PENDING',
    submissionSource: 'api',
    configOverrides: config,
    config,
    provenance: {},
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** Writes a Python script for a test application and returns its absolute path. */
export function writeScript(dir: string, name: string, source: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

/** Compiles a Java source against the Spark install's jars into `<outDir>/<name>.jar`. */
export function compileJar(env: SparkEnv, source: string, outDir: string, name: string): string {
  const classes = join(outDir, 'classes');
  mkdirSync(classes, { recursive: true });
  execFileSync(join(env.javaHome, 'bin', 'javac'), ['-cp', `${join(env.sparkHome, 'jars')}/*`, '-d', classes, source], {
    stdio: 'pipe',
  });
  const jar = join(outDir, `${name}.jar`);
  execFileSync(join(env.javaHome, 'bin', 'jar'), ['cf', jar, '-C', classes, '.'], { stdio: 'pipe' });
  return jar;
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMillis`. */
export async function waitFor<T>(
  what: string | (() => string),
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMillis = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(200);
  }
}

/** A PySpark application that prints "ready" once Spark is up, then sleeps for 10 minutes. */
export const SLEEPER_SCRIPT = [
  'import time',
  'from pyspark.sql import SparkSession',
  'spark = SparkSession.builder.getOrCreate()',
  'print("ready", spark.range(10).count(), flush=True)',
  'time.sleep(600)',
].join('\n');

/** A node process run in the repository, its stdout and stderr collected; `crash()` SIGKILLs it. */
export function spawnNode(
  args: string[],
  env: NodeJS.ProcessEnv,
): { output: () => string; crash: () => Promise<void> } {
  const child = spawn(process.execPath, args, { cwd: REPOSITORY, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    output: () => output,
    crash: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Starts a separate runtime process that submits the given applications to a LocalSparkBackend on
 * `dataDir`; `crash()` SIGKILLs it, as a runtime crash would end it.
 */
export async function startRuntimeProcess(
  dataDir: string,
  apps: { id: string; config: ApplicationConfig }[],
): Promise<{ crash: () => Promise<void> }> {
  const code = `
    const { LocalSparkBackend } = await import('./runtime/adapters/local');
    const backend = new LocalSparkBackend({ dataDir: ${JSON.stringify(dataDir)}, ...${JSON.stringify(sparkEnv())}, killOnClose: false });
    for (const app of ${JSON.stringify(apps)}) await backend.submit({ id: app.id }, app.config);
    console.log('submitted');
    setInterval(() => undefined, 60_000);
  `;
  // node itself with tsx's loader, so that the pid returned is the runtime's (the tsx CLI forks a child)
  const { output, crash } = spawnNode(
    ['--import', 'tsx', '--input-type=module', '-e', code],
    // a secret of the runtime, which its applications must not see
    { ...process.env, SPARKPLANE_ADMIN_TOKEN: 'runtime-secret' },
  );
  try {
    await waitFor(
      () => `the runtime process to submit (output so far: ${output()})`,
      () => output().includes('submitted'),
      60_000,
    );
  } catch (error) {
    await crash();
    throw error;
  }
  return { crash };
}
