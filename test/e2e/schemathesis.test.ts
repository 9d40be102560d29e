/**
 * schemathesis against the running service: every operation that /openapi.json lists (both APIs,
 * /api/v1 and /ocean/spark, and the health probes), called with cases generated from the document
 * (examples, coverage, fuzzing and stateful phases) with a fixed seed and a bounded budget, and
 * every answer checked: no server error, and the status code, media type and body the document
 * gives.
 *
 * The `local` cluster runs on a fake back-end that ends every application just after submission:
 * thousands of submissions start no JVM, and every log stream (follow) ends. A template, a job
 * (with a schedule), an application with a driver log and a token to revoke are seeded, and the
 * generated path parameters name them half of the time, so that the routes reach their real work
 * and not only their 404s.
 *
 * schemathesis is the pinned one of requirements-schemathesis.txt, in .venv/schemathesis
 * (scripts/setup.sh --test installs it).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import type { ApplicationConfig } from '../../runtime/domain/config';
import { isTerminal } from '../../runtime/domain/states';
import { FakeBackend, fakeBackendPlugin } from '../support/fake-backend';
import { REPOSITORY, waitFor } from '../support/spark';
import { call, type Service, startService } from './service-fixture';

const SCHEMATHESIS = join(REPOSITORY, '.venv', 'schemathesis', 'bin', 'schemathesis');
/** Fixed, so that a failure seen in CI is the one seen again on a developer's machine. */
const SEED = 20261202;
/** Cases per operation and phase (coverage adds its own boundary cases on top). */
const MAX_EXAMPLES = 50;
/** The whole run's wall-clock bound: past it schemathesis is stopped and the test fails. */
const WALL_LIMIT_SECONDS = 240;
/** A request that takes longer is reported as an error (a stream that never ends, a hang). */
const REQUEST_TIMEOUT_SECONDS = 10;
/**
 * The checks, on every answer. Not enabled: negative_data_rejection and positive_data_acceptance (they judge validation
 * by schemathesis's reading of the schema), and the auth, resource and header checks (not part of
 * this contract test).
 */
const CHECKS = [
  'not_a_server_error',
  'response_schema_conformance',
  'status_code_conformance',
  'content_type_conformance',
];
/** Past the router's default limit of 100 characters: such an id must still get the API's own errors. */
const LONG_ID = 'a'.repeat(101);
/** A run that generated fewer cases than this did not really run. */
const MIN_CASES = 5_000;

/** A FakeBackend whose applications run and complete just after they were submitted. */
class FinishingBackend extends FakeBackend {
  override async submit(app: Application, config: ApplicationConfig): Promise<{ backendRef: string }> {
    const submitted = await super.submit(app, config);
    setTimeout(() => {
      this.emit(app.id, { state: 'RUNNING' });
      this.emit(app.id, { state: 'COMPLETED' });
    }, 20);
    return submitted;
  }
}

/** What the JSON run report (--report json) says; only the fields read here. */
interface RunReport {
  seed: number;
  running_time: number;
  exit_code: number;
  operations: { total: number; selected: number; tested: number; errored: number; skipped: number };
  test_cases: { generated: number; with_failures: number; unique_failures: number; errored: number };
  failures: { code: string; title: string; count: number; operations: string[] }[];
  errors: unknown[];
}

let service: Service;
let workDir: string;
const backend = new FinishingBackend();
const seeded = { cluster: 'local', template: 'st-template', job: 'st-job', app: 'st-app', token: '' };

beforeAll(async () => {
  if (!existsSync(SCHEMATHESIS)) {
    throw new Error(`${SCHEMATHESIS} is missing: run \`bash scripts/setup.sh --test\` (or scripts/python-envs.sh)`);
  }
  workDir = mkdtempSync(join(tmpdir(), 'sparkplane-schemathesis-'));
  service = await startService({ plugins: [fakeBackendPlugin(backend)] });
  const { url } = service;
  const seed = async (method: string, path: string, body: unknown, expected: number[]) => {
    const response = await call<Record<string, unknown>>(url, method, path, { body });
    expect(expected, `${method} ${path}: ${response.text}`).toContain(response.status);
    return response.body;
  };
  await seed(
    'POST',
    `/api/v1/clusters/${seeded.cluster}/templates`,
    { id: seeded.template, config: { sparkConf: { 'spark.sql.shuffle.partitions': '8' } } },
    [201],
  );
  await seed(
    'POST',
    '/api/v1/applications',
    { clusterId: seeded.cluster, jobId: seeded.job, appId: seeded.app, configTemplateId: seeded.template },
    [201],
  );
  backend.logs.set(seeded.app, ['seeded driver log line 1', 'seeded driver log line 2']);
  await waitFor(
    `${seeded.app} to end`,
    async () => {
      const app = (await call<Application>(url, 'GET', `/api/v1/applications/${seeded.app}`)).body;
      return isTerminal(app.state) ? app : undefined;
    },
    30_000,
  );
  await seed(
    'PUT',
    `/api/v1/jobs/${seeded.job}/config`,
    {
      id: seeded.job,
      clusterId: seeded.cluster,
      configTemplateId: seeded.template,
      schedule: { cron: '0 2 * * *', timezone: 'UTC', enabled: true },
    },
    [200, 201],
  );
  // DELETE /tokens/{tokenId} revokes this one: the ids schemathesis finds in GET /tokens include
  // the admin token it authenticates with, and revoking that would turn the rest of the run into 401s
  seeded.token = String(
    (await seed('POST', '/api/v1/tokens', { name: 'st-revoke-me', scopes: ['applications:read'] }, [201])).id,
  );
});

afterAll(async () => {
  await service?.close();
});

/** schemathesis's configuration file: the seeded ids as a dictionary for the path parameters. */
function configFile(): string {
  const dictionary = (name: string, value: string) =>
    `[dictionaries.${name}]\nvalues = [${JSON.stringify(value)}, ${JSON.stringify(LONG_ID)}]\n`;
  const bind = (parameter: string, name: string) =>
    `"path.${parameter}" = { dictionary = "${name}", probability = 0.5 }\n`;
  const text = [
    '# written by test/e2e/schemathesis.test.ts',
    '[cache]\nenabled = false\n',
    // in the file rather than as --checks: checks named on the command line would override the
    // per-operation exceptions below
    '[checks]\nenabled = false',
    ...CHECKS.map((check) => `${check}.enabled = true`),
    '',
    dictionary('clusters', seeded.cluster),
    dictionary('templates', seeded.template),
    dictionary('jobs', seeded.job),
    dictionary('apps', seeded.app),
    '[parameters]',
    bind('clusterId', 'clusters') + bind('templateId', 'templates') + bind('jobId', 'jobs') + bind('appId', 'apps'),
    '[[operations]]',
    'include-name = "DELETE /api/v1/tokens/{tokenId}"',
    `parameters = { "path.tokenId" = ${JSON.stringify(seeded.token)} }`,
    '',
  ].join('\n');
  const path = join(workDir, 'schemathesis.toml');
  writeFileSync(path, text);
  return path;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  timedOut: boolean;
}

/** Runs schemathesis without blocking this process's event loop: the service answers from it. */
function runSchemathesis(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(SCHEMATHESIS, args, {
      cwd: workDir, // hypothesis writes its .hypothesis/ directory there
      env: { ...process.env, NO_COLOR: '1', COLUMNS: '120' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    }, WALL_LIMIT_SECONDS * 1000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, timedOut });
    });
  });
}

/** Every case's every check, from the NDJSON event stream: cases run and per-check outcomes. */
function checkTotals(ndjsonPath: string): { cases: number; checks: Record<string, Record<string, number>> } {
  const cases = new Set<string>();
  const checks: Record<string, Record<string, number>> = {};
  for (const line of readFileSync(ndjsonPath, 'utf8').split('\n')) {
    if (!line.startsWith('{"ScenarioFinished"')) continue;
    const event = JSON.parse(line) as {
      ScenarioFinished: { recorder: { checks?: Record<string, { name: string; status: string }[]> } };
    };
    for (const [caseId, results] of Object.entries(event.ScenarioFinished.recorder.checks ?? {})) {
      cases.add(caseId);
      for (const { name, status } of results) {
        const counts = (checks[name] ??= {});
        counts[status] = (counts[status] ?? 0) + 1;
      }
    }
  }
  return { cases: cases.size, checks };
}

/** The part of schemathesis's output from its first `===== TITLE =====` section on (at most 60,000 characters). */
function section(output: string, titles: string): string {
  const start = output.search(new RegExp(`^=+ (${titles}) =+$`, 'm'));
  const text = start < 0 ? output.slice(-20_000) : output.slice(start, start + 60_000);
  // schemathesis closes like pytest ("=== 2 warnings in 40.47s ==="): echoed, CI would read that
  // line as a pytest run that executed no test, so it is left out (the run's figures follow)
  return text.replace(/^=+ [^=\n]* in [\d.]+s =+$/gm, '').trimEnd();
}

/** What to read when it failed: errors and failures (each with a curl that reproduces it) and the summary. */
const failureText = (output: string) => section(output, 'ERRORS|FAILURES|SUMMARY');

it(
  'finds no server error and no answer off its documented status code or schema in any operation',
  async () => {
    const reportDir = join(workDir, 'report');
    const args = [
      '--config-file',
      configFile(),
      'run',
      `${service.url}/openapi.json`,
      '--seed',
      String(SEED),
      '--max-examples',
      String(MAX_EXAMPLES),
      '--workers',
      '1', // one at a time: the same seed makes the same requests in the same order
      '--header',
      `Authorization: Bearer ${service.adminToken}`,
      '--request-timeout',
      String(REQUEST_TIMEOUT_SECONDS),
      '--generation-database',
      'none', // no examples carried over from an earlier run
      // the stream of changes answers for as long as the client listens: every case would wait the
      // request time-out (test/integration/http-dashboard.test.ts reads it instead)
      '--exclude-path',
      '/api/v1/applications/events',
      // one regex (a second --exclude-path-regex replaces the first): starting, restarting and
      // interrupting a kernel runs a real Jupyter kernel with Spark, seconds each
      // (test/integration/notebooks.test.ts drives them; http-notebooks.test.ts their answers); and
      // binary Thrift calls (application/x-thrift, .../code), which schemathesis has no serializer for
      // (test/integration/http-hive-routes.test.ts and sessions-dbt.test.ts drive them)
      '--exclude-path-regex',
      '(/notebook/api/kernels(/[^/]+/(restart|interrupt))?|/app/[^/]+/code)$',
      '--report',
      'junit,json,ndjson',
      '--report-dir',
      reportDir,
      '--no-color',
    ];
    console.warn(
      `schemathesis ${args.map((a) => (a.startsWith('Authorization') ? '"Authorization: Bearer ***"' : a)).join(' ')}`,
    );
    const started = Date.now();
    const run = await runSchemathesis(args);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    writeFileSync(join(workDir, 'schemathesis.log'), run.output);
    // its summary (phases, warnings, failures by kind) in the test output, kept short
    console.warn(section(run.output, 'SUMMARY'));

    const reportOf = (prefix: string) => {
      const name = existsSync(reportDir) ? readdirSync(reportDir).find((file) => file.startsWith(prefix)) : undefined;
      return name === undefined ? undefined : join(reportDir, name);
    };
    const jsonPath = reportOf('json-');
    const ndjsonPath = reportOf('ndjson-');
    if (run.timedOut || !jsonPath || !ndjsonPath) {
      throw new Error(
        `schemathesis ${run.timedOut ? `did not finish within ${WALL_LIMIT_SECONDS}s` : `wrote no report (exit ${run.code ?? run.signal})`} (output in ${workDir}):\n${failureText(run.output)}`,
      );
    }
    const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as RunReport;
    const totals = checkTotals(ndjsonPath);
    console.warn(
      [
        `schemathesis: ${report.test_cases.generated} cases generated (${totals.cases} with checks) over ` +
          `${report.operations.tested}/${report.operations.total} operations in ${seconds}s, seed ${report.seed}, ` +
          `${MAX_EXAMPLES} examples per operation and phase`,
        ...Object.entries(totals.checks).map(
          ([name, counts]) =>
            `  ${name}: ${Object.entries(counts)
              .map(([status, count]) => `${count} ${status}`)
              .join(', ')}`,
        ),
        `  failures: ${report.test_cases.unique_failures}, errored cases: ${report.test_cases.errored}`,
      ].join('\n'),
    );

    const problems = `${failureText(run.output)}\n(schemathesis's output and reports: ${workDir})`;
    expect(report.failures, problems).toEqual([]);
    expect(report.errors, problems).toEqual([]);
    expect(report.test_cases.errored, problems).toBe(0);
    expect(run.code, problems).toBe(0);
    expect(report.operations.tested).toBe(report.operations.selected);
    // all but the stream of changes, under both notebook prefixes the kernels' list and start,
    // restart and interrupt (4 operations each), and the Thrift calls of .../code
    expect(report.operations.selected).toBe(report.operations.total - 1 - 2 * 4 - 1);
    expect(report.operations.total).toBeGreaterThan(40);
    expect(report.test_cases.generated).toBeGreaterThanOrEqual(MIN_CASES);
    for (const check of CHECKS) expect(totals.checks[check]?.success ?? 0, check).toBeGreaterThan(0);
    rmSync(workDir, { recursive: true, force: true });
  },
  (WALL_LIMIT_SECONDS + 60) * 1000,
);
