/**
 * The `sparkplane` CLI against a running service on real Spark: `node bin/sparkplane.js` as a child
 * process for the two runs that wait (one completes, one fails), main(argv) in-process for the rest,
 * and the documented exit codes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT, main } from '../../runtime/cli/main';
import type { Application } from '../../runtime/domain/application';
import { REPOSITORY, sparkEnv, writeScript } from '../support/spark';
import { type Service, startService } from './service-fixture';

sparkEnv();

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let service: Service;
let filesDir: string;
const waited = new Map<string, CliResult>();

/** The real command, as a script runs it. */
function sparkplane(args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [join(REPOSITORY, 'bin', 'sparkplane.js'), ...args], {
    cwd: REPOSITORY,
    env: { ...process.env, SPARKPLANE_URL: service.url, SPARKPLANE_TOKEN: service.adminToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  return new Promise((done) => child.once('close', (code) => done({ code: code ?? -1, stdout, stderr })));
}

/** main(argv) in this process, its output captured. */
async function cli(args: string[], options: { url?: string; token?: string } = {}): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...values: unknown[]) => void stdout.push(values.join(' ')));
  const error = vi
    .spyOn(console, 'error')
    .mockImplementation((...values: unknown[]) => void stderr.push(values.join(' ')));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  try {
    const code = await main([
      'node',
      'sparkplane',
      '--url',
      options.url ?? service.url,
      '--token',
      options.token ?? service.adminToken,
      ...args,
    ]);
    return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

const appIdOf = (result: CliResult) => /^submitted (\S+) /m.exec(result.stdout)?.[1];

beforeAll(async () => {
  service = await startService();
  filesDir = mkdtempSync(join(tmpdir(), 'sparkplane-cli-'));
  const failing = writeScript(filesDir, 'failing.py', 'raise ValueError("bad input for the cli test")\n');
  writeFileSync(
    join(filesDir, 'failing.yaml'),
    `jobId: cli-failing\nconfigOverrides:\n  type: Python\n  mainApplicationFile: ${failing}\n`,
  );
  // both real runs at once: they are independent, and each costs a JVM or Python start
  const [pi, failed] = await Promise.all([
    sparkplane(['submit', '-f', 'examples/spark-pi.yaml', '--wait']),
    sparkplane(['submit', '-f', join(filesDir, 'failing.yaml'), '--wait']),
  ]);
  waited.set('pi', pi);
  waited.set('failing', failed);
});

afterAll(async () => {
  await service?.close();
  if (filesDir) rmSync(filesDir, { recursive: true, force: true });
});

describe('sparkplane submit --wait', () => {
  it('exits 0 once examples/spark-pi.yaml is COMPLETED, having followed states and the log', () => {
    const pi = waited.get('pi')!;
    expect(pi.code, pi.stderr).toBe(EXIT.ok);
    expect(pi.stdout).toMatch(/^submitted spark-pi-\S+ \(job spark-pi, cluster local\)$/m);
    expect(pi.stdout).toMatch(/\] spark-pi-\S+: RUNNING$/m);
    expect(pi.stdout).toMatch(/^ {2}\| Pi is roughly 3\.\d+$/m);
    expect(pi.stdout).toMatch(/^spark-pi-\S+: COMPLETED after \d+s$/m);
  });

  it('exits 1 when the application ends FAILED, printing the reason', () => {
    const failed = waited.get('failing')!;
    expect(failed.code).toBe(EXIT.appUnsuccessful);
    expect(failed.stdout).toMatch(
      /^cli-failing-\S+: FAILED \(exit code 1: ValueError: bad input for the cli test\) after \d+s$/m,
    );
  });
});

describe('sparkplane apps and jobs', () => {
  it('lists applications as a table and as JSON', async () => {
    const id = appIdOf(waited.get('pi')!)!;
    const table = await cli(['apps', 'list']);
    expect(table.code).toBe(EXIT.ok);
    expect(table.stdout).toMatch(/APP\s.*JOB\s.*STATE/);
    expect(table.stdout).toMatch(new RegExp(`${id}\\s.*spark-pi\\s.*COMPLETED`));

    // --json is global: after the subcommand as well as before it
    const json = await cli(['apps', 'list', '--job', 'cli-failing', '--json']);
    const page = JSON.parse(json.stdout) as { items: Application[] };
    expect(page.items.map((a) => [a.jobId, a.state])).toEqual([['cli-failing', 'FAILED']]);

    const filtered = await cli(['--json', 'apps', 'list', '--state', 'COMPLETED']);
    expect((JSON.parse(filtered.stdout) as { items: Application[] }).items.map((a) => a.id)).toEqual([id]);
  });

  it('gets an application, prints its log, and kill on an ended one changes nothing', async () => {
    const id = appIdOf(waited.get('pi')!)!;
    const got = await cli(['apps', 'get', id]);
    expect(got.code).toBe(EXIT.ok);
    expect(JSON.parse(got.stdout)).toMatchObject({ id, jobId: 'spark-pi', state: 'COMPLETED' });

    const logs = await cli(['apps', 'logs', id]);
    expect(logs.code).toBe(EXIT.ok);
    expect(logs.stdout).toMatch(/^Pi is roughly 3\.\d+$/m);

    const killed = await cli(['apps', 'kill', id]);
    expect(killed).toMatchObject({ code: EXIT.ok, stdout: `${id}: COMPLETED` });
  });

  it('lists jobs and gets one with its executions', async () => {
    const list = await cli(['jobs', 'list']);
    expect(list.code).toBe(EXIT.ok);
    expect(list.stdout).toMatch(/spark-pi\s.*local/);
    expect(list.stdout).toMatch(/cli-failing\s.*local/);

    const job = await cli(['jobs', 'get', 'spark-pi']);
    const parsed = JSON.parse(job.stdout) as { id: string; executions: Application[] };
    expect(parsed.id).toBe('spark-pi');
    expect(parsed.executions.map((a) => a.id)).toEqual([appIdOf(waited.get('pi')!)]);
  });
});

describe('sparkplane jobs as code', () => {
  it('applies a job spec with its schedule, lists it, and refuses a bad cron naming the field', async () => {
    const spec = join(REPOSITORY, 'examples', 'jobs', 'shuffle-aggregation.yaml');
    const applied = await cli(['jobs', 'apply', '-f', spec]);
    expect(applied.code, applied.stderr).toBe(EXIT.ok);
    // 02:00 in Paris is 01:00 or 00:00 UTC, depending on daylight saving time
    expect(applied.stdout).toMatch(
      /^applied job shuffle-aggregation on cluster local, scheduled 0 2 \* \* \* \(Europe\/Paris\), next run at \d{4}-\d\d-\d\dT0[01]:00:00\.000Z$/,
    );
    expect((await cli(['jobs', 'list'])).stdout).toMatch(
      /shuffle-aggregation\s.*local\s.*0 2 \* \* \* \(Europe\/Paris\)\s.*T0[01]:00:00\.000Z\s.*auto/,
    );
    const job = JSON.parse((await cli(['jobs', 'get', 'shuffle-aggregation'])).stdout) as { nextRunAt: string };
    expect(job.nextRunAt).toMatch(/T0[01]:00:00\.000Z$/);
    expect(Date.parse(job.nextRunAt)).toBeGreaterThan(Date.now());
    const bad = join(filesDir, 'bad-job.yaml');
    writeFileSync(bad, 'id: nightly\nclusterId: local\nschedule:\n  cron: "61 * * * *"\n');
    const refused = await cli(['jobs', 'apply', '-f', bad]);
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.stderr).toContain('schedule.cron: "61 * * * *" is not a cron expression');
  });
});

describe('sparkplane templates and tokens', () => {
  it('creates, reads, lists and deletes a config template from a YAML file', async () => {
    const file = join(filesDir, 'small.yaml');
    writeFileSync(file, 'executor:\n  instances: 1\n  memory: 1g\nsparkConf:\n  spark.sql.shuffle.partitions: "4"\n');
    expect(await cli(['templates', 'create', 'small', '-f', file])).toMatchObject({
      code: EXIT.ok,
      stdout: 'created template small',
    });
    const got = await cli(['templates', 'get', 'small']);
    expect(JSON.parse(got.stdout)).toMatchObject({
      id: 'small',
      config: { executor: { instances: 1, memory: '1g' }, sparkConf: { 'spark.sql.shuffle.partitions': '4' } },
    });
    expect((await cli(['templates', 'list'])).stdout).toMatch(/small\s.*"instances":1/);
    expect(await cli(['templates', 'create', 'small', '-f', file])).toMatchObject({ code: EXIT.conflict });

    expect(await cli(['templates', 'delete', 'small'])).toMatchObject({
      code: EXIT.ok,
      stdout: 'deleted template small',
    });
    expect((await cli(['templates', 'get', 'small'])).code).toBe(EXIT.notFound);
  });

  it('creates, lists and revokes a token; the revoked secret is refused with exit 4', async () => {
    const created = await cli(['--json', 'tokens', 'create', 'ci-reader', '--scope', 'applications:read']);
    expect(created.code, created.stderr).toBe(EXIT.ok);
    const { id, secret } = JSON.parse(created.stdout) as { id: string; secret: string };
    expect((await cli(['apps', 'list'], { token: secret })).code).toBe(EXIT.ok);
    // read-only: submitting is forbidden
    expect((await cli(['submit', '--job', 'x'], { token: secret })).code).toBe(EXIT.auth);

    expect((await cli(['tokens', 'list'])).stdout).toMatch(new RegExp(`${id}\\s.*ci-reader\\s.*applications:read`));
    expect(await cli(['tokens', 'revoke', id])).toMatchObject({ code: EXIT.ok, stdout: `revoked token ${id}` });
    expect((await cli(['apps', 'list'], { token: secret })).code).toBe(EXIT.auth);
  });
});

describe('sparkplane exit codes', () => {
  it('2 for a bad --set, naming the setting', async () => {
    const result = await cli(['submit', '--job', 'x', '--set', 'executor.memory']);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain('--set "executor.memory" is not of the form path=value');
  });

  it('2 for an invalid job file, naming the field', async () => {
    const file = join(filesDir, 'invalid.yaml');
    writeFileSync(file, 'jobId: nightly\nconfigOverrides:\n  executor:\n    instances: three\n');
    const result = await cli(['submit', '-f', file]);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain('configOverrides.executor.instances: "three" is not a number');
  });

  it('2 for a value the API refuses, naming the field', async () => {
    const result = await cli(['submit', '--job', 'x', '--set', 'executor.instances=-1']);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain('executor.instances');
  });

  it('3 for an unknown application', async () => {
    const result = await cli(['apps', 'get', 'no-such-app']);
    expect(result.code).toBe(EXIT.notFound);
    expect(result.stderr).toContain('no-such-app');
  });

  it('4 for a wrong token', async () => {
    const result = await cli(['apps', 'list'], { token: 'not-a-token-of-this-service' });
    expect(result.code).toBe(EXIT.auth);
  });

  it('6 when the API is unreachable, naming the address', async () => {
    const result = await cli(['apps', 'list'], { url: 'http://127.0.0.1:9' });
    expect(result.code).toBe(EXIT.unavailable);
    expect(result.stderr).toContain('cannot reach the sparkplane API at http://127.0.0.1:9');
  });
});
