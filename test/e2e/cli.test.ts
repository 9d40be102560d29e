/**
 * The `sparkplane` CLI against a running service on real Spark: the compiled command
 * (`node bin/sparkplane.js`, built here first) as a child process for the runs that wait, the
 * version, the missing token and the exit codes scripts see; main(argv) in-process for the rest.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../runtime/cli/main';
import type { Application } from '../../runtime/domain/application';
import type { Cluster } from '../../runtime/domain/cluster';
import type { JobStatistics } from '../../runtime/domain/job-statistics';
import type { Recommendation } from '../../runtime/domain/recommendation';
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
let failingScript: string;
const waited = new Map<string, CliResult>();

/** The real command, as a script runs it; `env` values replace (undefined: remove) the service's. */
function sparkplane(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    SPARKPLANE_URL: service.url,
    SPARKPLANE_TOKEN: service.adminToken,
  };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  const child = spawn(process.execPath, [join(REPOSITORY, 'bin', 'sparkplane.js'), ...args], {
    cwd: REPOSITORY,
    env: childEnv,
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

const json = <T>(result: CliResult): T => JSON.parse(result.stdout) as T;

/** The value after `label:` in a readable summary. */
const field = (text: string, label: string) => new RegExp(`^${label}:\\s+(.*)$`, 'm').exec(text)?.[1];

const appIdOf = (result: CliResult) => /^submitted (\S+) /m.exec(result.stdout)?.[1];

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  // the command as `npm run build` compiles it: what a script runs after the set-up
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: REPOSITORY, stdio: 'ignore' });
  service = await startService();
  filesDir = mkdtempSync(join(tmpdir(), 'sparkplane-cli-'));
  failingScript = writeScript(filesDir, 'failing.py', 'raise ValueError("bad input for the cli test")\n');
  writeFileSync(
    join(filesDir, 'failing.yaml'),
    `jobId: cli-failing\nconfigOverrides:\n  type: Python\n  mainApplicationFile: ${failingScript}\n`,
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
  it('exits 0 once examples/spark-pi.yaml is COMPLETED, having followed states and the log, ending with a one-line summary', () => {
    const pi = waited.get('pi')!;
    expect(pi.code, pi.stderr).toBe(0);
    // the compiled command ran, not the sources through tsx
    expect(pi.stderr).toBe('');
    expect(pi.stdout).toMatch(/^submitted spark-pi-\S+ \(job spark-pi, cluster local\)$/m);
    expect(pi.stdout).toMatch(/\] spark-pi-\S+: RUNNING$/m);
    expect(pi.stdout).toMatch(/^ {2}\| Pi is roughly 3\.\d+$/m);
    const last = pi.stdout.trimEnd().split('\n').at(-1);
    expect(last).toMatch(/^spark-pi-\S+: COMPLETED in \d+s, cost \d+(\.\d+)? USD, \d+(\.\d+)? core-hours$/);
  });

  it('exits 1 when the application ends FAILED, printing the reason', () => {
    const failed = waited.get('failing')!;
    expect(failed.code).toBe(1);
    expect(failed.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^cli-failing-\S+: FAILED \(exit code 1: ValueError: bad input for the cli test\) in \d+s/,
    );
  });
});

describe('sparkplane apps', () => {
  it('lists applications as a table, and the page with -o json or --json (before or after the command)', async () => {
    const id = appIdOf(waited.get('pi')!)!;
    const table = await cli(['apps', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^APP\s+JOB\s+CLUSTER\s+STATE\s+CREATED\s+DURATION\s+COST\s+EFFICIENCY\s+REASON$/m);
    expect(table.stdout).toMatch(
      new RegExp(`^${id}\\s+spark-pi\\s+local\\s+COMPLETED\\s+\\S+\\s+\\d+s\\s+[\\d.]+\\s+\\d+%`, 'm'),
    );

    const page = json<{ items: Application[] }>(await cli(['apps', 'list', '--job', 'cli-failing', '--json']));
    expect(page.items.map((a) => [a.jobId, a.state])).toEqual([['cli-failing', 'FAILED']]);

    const filtered = json<{ items: Application[] }>(await cli(['-o', 'json', 'apps', 'list', '--state', 'COMPLETED']));
    expect(filtered.items.map((a) => a.id)).toEqual([id]);
  });

  it('gets an application as a readable summary, and whole with -o json or -o yaml', async () => {
    const id = appIdOf(waited.get('pi')!)!;
    const whole = json<Application>(await cli(['apps', 'get', id, '-o', 'json']));
    expect(whole).toMatchObject({ id, jobId: 'spark-pi', state: 'COMPLETED' });
    expect(parse((await cli(['apps', 'get', id, '-o', 'yaml'])).stdout)).toEqual(whole);

    const summary = await cli(['apps', 'get', id]);
    expect(summary.code).toBe(0);
    const text = summary.stdout;
    const metrics = whole.metrics!;
    expect(field(text, 'Name')).toBe(id);
    expect(field(text, 'State')).toBe('COMPLETED');
    expect(field(text, 'Duration')).toMatch(/^\d+s/);
    expect(field(text, 'Cost')).toMatch(new RegExp(`^[\\d.]+ ${metrics.cost!.currency} \\(`));
    expect(field(text, 'Core-hours')).toMatch(/^\d+(\.\d+)?$/);
    expect(field(text, 'Read')).toMatch(/ records$/);
    expect(field(text, 'Written')).toMatch(/ records$/);
    expect(field(text, 'Efficiency')).toBe(
      `${Math.round(metrics.efficiency * 100)}% (CPU ${Math.round(metrics.cpuUtilization * 100)}%, GC ${Math.round(metrics.gcTimeShare * 100)}%)`,
    );
    // the first run of a job: nothing tuned yet
    const tuned = Object.values(whole.provenance).filter((layer) => layer === 'tuning');
    expect(field(text, 'Tuning changed')).toEqual(tuned.length === 0 ? 'nothing' : expect.stringMatching(/ = /));
  });

  it('prints the driver log; kill of an ended application changes nothing', async () => {
    const id = appIdOf(waited.get('pi')!)!;
    const logs = await cli(['apps', 'logs', id]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^Pi is roughly 3\.\d+$/m);

    expect(await cli(['apps', 'kill', id])).toMatchObject({ code: 0, stdout: `${id}: COMPLETED` });
  });
});

describe('sparkplane jobs', () => {
  it('lists jobs and gets one: the spec, its last run in full and its executions', async () => {
    const list = await cli(['jobs', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^spark-pi\s+local\s/m);
    expect(list.stdout).toMatch(/^cli-failing\s+local\s/m);

    const id = appIdOf(waited.get('pi')!)!;
    const job = await cli(['jobs', 'get', 'spark-pi']);
    expect(job.code).toBe(0);
    expect(field(job.stdout, 'Name')).toBe('spark-pi');
    expect(field(job.stdout, 'Tuning')).toBe('auto, objective cost');
    expect(field(job.stdout, 'Last run')).toBe(id);
    expect(field(job.stdout, 'Cost')).toMatch(/^[\d.]+ USD/);
    expect(job.stdout).toMatch(new RegExp(`^Executions \\(newest first\\):\\nAPP .*\\n${id}\\s+COMPLETED\\s`, 'm'));

    const whole = json<{ id: string; executions: Application[] }>(await cli(['jobs', 'get', 'spark-pi', '--json']));
    expect(whole.executions.map((a) => a.id)).toEqual([id]);
  });

  it('prints the statistics: medians and a series of the measured runs', async () => {
    const stats = json<JobStatistics>(await cli(['jobs', 'stats', 'spark-pi', '-o', 'json']));
    expect(stats.series.map((p) => p.appId)).toEqual([appIdOf(waited.get('pi')!)]);

    const text = (await cli(['jobs', 'stats', 'spark-pi'])).stdout;
    expect(field(text, 'Runs')).toBe(`1 measured; medians of the last ${stats.medianOfRuns}`);
    expect(field(text, 'Median duration')).toMatch(/^\d+s$/);
    expect(field(text, 'Median cost')).toMatch(/^\d+(\.\d+)?$/);
    expect(field(text, 'Median efficiency')).toBe(`${Math.round(stats.medians.efficiency! * 100)}%`);
    expect(text).toContain('Series, oldest first (1 runs,');
    expect(text).toMatch(/^ {2}duration: +▁ {2}\d+s to \d+s, last \d+s$/m);
  });

  it('prints the recommendation: each change as path from -> to: reason, the prediction and the notes', async () => {
    const recommendation = json<Recommendation>(await cli(['jobs', 'recommendation', 'spark-pi', '-o', 'json']));
    const text = (await cli(['jobs', 'recommendation', 'spark-pi'])).stdout;
    expect(field(text, 'Mode')).toMatch(/^auto( \(the next run uses them\)| \(not applied\))?$/);
    for (const change of recommendation.changes) {
      const path = change.pointer.slice(1).replace(/\//g, '.');
      expect(text).toContain(`${path} ${change.from ?? 'default'} -> ${change.to}: `);
    }
    if (recommendation.changes.length === 0) expect(field(text, 'Changes')).toBe('none');
    for (const note of recommendation.notes) expect(text).toContain(note);
    if (recommendation.prediction) expect(field(text, 'Prediction')).toContain(recommendation.prediction.basis);
  });

  it('applies a job spec with its schedule, lists it, and refuses a bad cron naming the field', async () => {
    const spec = join(REPOSITORY, 'examples', 'jobs', 'shuffle-aggregation.yaml');
    const applied = await cli(['jobs', 'apply', '-f', spec]);
    expect(applied.code, applied.stderr).toBe(0);
    // 02:00 in Paris is 01:00 or 00:00 UTC, depending on daylight saving time
    expect(applied.stdout).toMatch(
      /^applied job shuffle-aggregation on cluster local, scheduled 0 2 \* \* \* \(Europe\/Paris\), next run at \d{4}-\d\d-\d\dT0[01]:00:00\.000Z$/,
    );
    expect((await cli(['jobs', 'list'])).stdout).toMatch(
      /^shuffle-aggregation\s+local\s+0 2 \* \* \* \(Europe\/Paris\)\s+\S+T0[01]:00:00\.000Z\s+auto\s/m,
    );
    const job = json<{ nextRunAt: string }>(await cli(['jobs', 'get', 'shuffle-aggregation', '-o', 'json']));
    expect(Date.parse(job.nextRunAt)).toBeGreaterThan(Date.now());
    const bad = join(filesDir, 'bad-job.yaml');
    writeFileSync(bad, 'id: nightly\nclusterId: local\nschedule:\n  cron: "61 * * * *"\n');
    const refused = await cli(['jobs', 'apply', '-f', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('schedule.cron: "61 * * * *" is not a cron expression');
  });

  it('applies a directory of SparkJob objects and job specs, and refuses a bad document naming it', async () => {
    const dir = join(filesDir, 'jobs-as-code');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'sparkjobs.yaml'),
      [
        'apiVersion: sparkplane.io/v1alpha1\nkind: SparkJob\nmetadata: { name: as-code-a }\nspec:\n  clusterId: local',
        'apiVersion: sparkplane.io/v1alpha1\nkind: SparkJob\nmetadata: { name: as-code-b }\nspec:\n  clusterId: local\n  schedule: { cron: "0 3 * * *" }',
      ].join('\n---\n'),
    );
    writeFileSync(join(dir, 'plain.json'), JSON.stringify({ id: 'as-code-c', clusterId: 'local' }));
    const applied = await cli(['apply', '-f', dir]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout.split('\n').sort()).toEqual(
      ['a', 'b', 'c'].map((x) => `applied job as-code-${x} on cluster local`),
    );
    const job = json<{ schedule: { cron: string } }>(await cli(['jobs', 'get', 'as-code-b', '-o', 'json']));
    expect(job.schedule.cron).toBe('0 3 * * *');
    const bad = join(filesDir, 'bad-sparkjob.yaml');
    writeFileSync(
      bad,
      'kind: SparkJob\nmetadata: { name: bad }\nspec:\n  clusterId: local\n  concurrencyPolicy: Sometimes\n',
    );
    const refused = await cli(['apply', '-f', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('document 1: spec.concurrencyPolicy');
  });
});

describe('sparkplane clusters', () => {
  it('lists the clusters with their state, and gets one', async () => {
    const list = await cli(['clusters', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^CLUSTER\s+BACKEND\s+STATE\s+HEARTBEAT\s+MANAGED BY\s+REASON$/m);
    expect(list.stdout).toMatch(/^local\s+local\s+AVAILABLE\s+\S+\s+file\s/m);
    expect(json<{ items: Cluster[] }>(await cli(['clusters', 'list', '-o', 'json'])).items.map((c) => c.id)).toEqual([
      'local',
    ]);

    const got = await cli(['clusters', 'get', 'local']);
    expect(field(got.stdout, 'State')).toBe('AVAILABLE');
    expect(field(got.stdout, 'Managed by')).toBe('the clusters file');
    expect((await cli(['clusters', 'get', 'nowhere'])).code).toBe(3);
  });
});

describe('sparkplane templates and tokens', () => {
  it('creates, reads, lists and deletes a config template from a YAML file', async () => {
    const file = join(filesDir, 'small.yaml');
    writeFileSync(file, 'executor:\n  instances: 1\n  memory: 1g\nsparkConf:\n  spark.sql.shuffle.partitions: "4"\n');
    expect(await cli(['templates', 'create', 'small', '-f', file])).toMatchObject({
      code: 0,
      stdout: 'created template small',
    });
    expect(json(await cli(['templates', 'get', 'small', '-o', 'json']))).toMatchObject({
      id: 'small',
      config: { executor: { instances: 1, memory: '1g' }, sparkConf: { 'spark.sql.shuffle.partitions': '4' } },
    });
    const readable = (await cli(['templates', 'get', 'small'])).stdout;
    expect(parse(readable.slice(readable.indexOf('Config:\n') + 8))).toEqual({
      executor: { instances: 1, memory: '1g' },
      sparkConf: { 'spark.sql.shuffle.partitions': '4' },
    });
    expect((await cli(['templates', 'list'])).stdout).toMatch(/^small\s+\S+\s+\{.*"instances":1/m);
    expect(await cli(['templates', 'create', 'small', '-f', file])).toMatchObject({ code: 5 });

    expect(await cli(['templates', 'delete', 'small'])).toMatchObject({ code: 0, stdout: 'deleted template small' });
    expect((await cli(['templates', 'get', 'small'])).code).toBe(3);
  });

  it('creates, lists and revokes a token; the revoked secret is refused with exit 4', async () => {
    const created = await cli(['--json', 'tokens', 'create', 'ci-reader', '--scope', 'applications:read']);
    expect(created.code, created.stderr).toBe(0);
    const { id, secret } = json<{ id: string; secret: string }>(created);
    expect((await cli(['apps', 'list'], { token: secret })).code).toBe(0);
    // read-only: submitting is forbidden
    expect((await cli(['submit', '--job', 'x'], { token: secret })).code).toBe(4);

    expect((await cli(['tokens', 'list'])).stdout).toMatch(
      new RegExp(`^${id}\\s+ci-reader\\s+applications:read\\s`, 'm'),
    );
    expect(await cli(['tokens', 'revoke', id])).toMatchObject({ code: 0, stdout: `revoked token ${id}` });
    expect((await cli(['apps', 'list'], { token: secret })).code).toBe(4);
  });
});

describe('sparkplane submit --set', () => {
  it('takes arrays and objects as JSON, numbers and booleans typed; apps wait exits 1 on the failure', async () => {
    const submitted = await cli([
      'submit',
      '--job',
      'cli-set',
      '--set',
      'type=Python',
      '--set',
      `mainApplicationFile=${failingScript}`,
      '--set',
      'arguments=["--date","2026-12-01"]',
      '--set',
      'sparkConf={"spark.sql.shuffle.partitions":"3"}',
      '--set',
      'sparkConf.spark.ui.enabled=false',
      '--set',
      'executor.instances=1',
      '-o',
      'json',
    ]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const app = json<Application>(submitted);
    expect(app.configOverrides).toEqual({
      type: 'Python',
      mainApplicationFile: failingScript,
      arguments: ['--date', '2026-12-01'],
      sparkConf: { 'spark.sql.shuffle.partitions': '3', 'spark.ui.enabled': 'false' },
      executor: { instances: 1 },
    });
    const waitedFor = await cli(['apps', 'wait', app.id]);
    expect(waitedFor.code).toBe(1);
    expect(waitedFor.stdout.split('\n').at(-1)).toMatch(new RegExp(`^${app.id}: FAILED \\(exit code 1: `));
  });
});

describe('sparkplane --version and the missing token', () => {
  it("prints package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(join(REPOSITORY, 'package.json'), 'utf8')) as { version: string };
    expect(await sparkplane(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it("exits 4 without a token, telling where the demo's admin token is and how to pass it", async () => {
    const result = await sparkplane(['apps', 'list'], { SPARKPLANE_TOKEN: undefined });
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      "error: no API token: pass --token or set SPARKPLANE_TOKEN (the demo's admin token: export SPARKPLANE_TOKEN=$(cat data/admin-token))\n",
    );
  });
});

describe('sparkplane exit codes (the error catalogue)', () => {
  it('2 for a bad --set, naming the setting', async () => {
    const result = await sparkplane(['submit', '--job', 'x', '--set', 'executor.memory']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--set "executor.memory" is not of the form path=value');
  });

  it('2 for an invalid job file, naming the field', async () => {
    const file = join(filesDir, 'invalid.yaml');
    writeFileSync(file, 'jobId: nightly\nconfigOverrides:\n  executor:\n    instances: three\n');
    const result = await cli(['submit', '-f', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('configOverrides.executor.instances: "three" is not a number');
  });

  it('2 for values the API refuses (400), printing each field message once', async () => {
    const result = await sparkplane([
      'submit',
      '--job',
      'x',
      '--set',
      'executor.instances=-1',
      '--set',
      'executor.memory=8gigs',
    ]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.filter((l) => l.includes('configOverrides.executor.instances: -1'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('configOverrides.executor.memory: "8gigs"'))).toHaveLength(1);
    expect(lines.every((l) => l.startsWith('error: configOverrides.executor.'))).toBe(true);
  });

  it('3 for an unknown application (404)', async () => {
    const result = await sparkplane(['apps', 'get', 'no-such-app']);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe("error: Couldn't find application with ID: no-such-app\n");
  });

  it('4 for a wrong token (401)', async () => {
    const result = await sparkplane(['apps', 'list'], { SPARKPLANE_TOKEN: 'not-a-token-of-this-service' });
    expect(result.code).toBe(4);
    expect(result.stderr).toBe('error: the bearer token is unknown or revoked\n');
  });

  it('6 when the API is unreachable, naming the address', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await sparkplane(['apps', 'list'], { SPARKPLANE_URL: url });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`error: cannot reach the sparkplane API at ${url}: connect ECONNREFUSED`);
  });

  it('2 for a command line commander refuses', async () => {
    expect((await sparkplane(['apps', 'list', '--no-such-flag'])).code).toBe(2);
    expect((await sparkplane(['-o', 'xml', 'apps', 'list'])).code).toBe(2);
  });
});
