/**
 * The `sparkplane` CLI. Exit codes scripts can rely on:
 * 0 success; 1 the application ended unsuccessfully (FAILED, KILLED, TIMED_OUT);
 * 2 usage or validation error; 3 not found; 4 unauthenticated or forbidden; 5 conflict;
 * 6 the API is unreachable or failed.
 */
import { Command, CommanderError, Option } from 'commander';
import type { Application } from '../domain/application';
import type { StoredJob } from '../domain/ports';
import { APP_STATES, isTerminal, SUCCESSFUL_STATES } from '../domain/states';
import { ApiClient, ApiError } from './client';
import { parseSetting, readJobFile, readJobSpecFile } from './job-file';
import { durationOf, nextRunText, scheduleText, table } from './output';

export const EXIT = { ok: 0, appUnsuccessful: 1, usage: 2, notFound: 3, auth: 4, conflict: 5, unavailable: 6 } as const;

interface GlobalOptions {
  url: string;
  token?: string;
  json?: boolean;
}

interface Page<T> {
  items: T[];
  nextCursor?: string;
}

function exitCodeOf(error: unknown): number {
  if (error instanceof ApiError) {
    if (error.status === 400 || error.status === 413) return EXIT.usage;
    if (error.status === 404) return EXIT.notFound;
    if (error.status === 401 || error.status === 403) return EXIT.auth;
    if (error.status === 409) return EXIT.conflict;
    return EXIT.unavailable;
  }
  return EXIT.usage;
}

const appColumns = [
  { header: 'APP', value: (a: Application) => a.id },
  { header: 'JOB', value: (a: Application) => a.jobId },
  { header: 'CLUSTER', value: (a: Application) => a.clusterId },
  { header: 'STATE', value: (a: Application) => a.state },
  { header: 'CREATED', value: (a: Application) => a.createdAt },
  { header: 'DURATION', value: (a: Application) => durationOf(a.startedAt, a.endedAt) },
  { header: 'REASON', value: (a: Application) => a.stateReason },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('sparkplane')
    .description('Apache Spark on Kubernetes: submit, follow and tune Spark applications')
    .addOption(
      new Option('--url <url>', 'sparkplane API address').env('SPARKPLANE_URL').default('http://127.0.0.1:8080'),
    )
    .addOption(new Option('--token <token>', 'API token').env('SPARKPLANE_TOKEN'))
    .option('--json', 'print JSON instead of tables')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  const client = () => {
    const { url, token } = program.opts<GlobalOptions>();
    return new ApiClient({ url, token });
  };
  const print = (value: unknown, human: () => string) => {
    console.log(program.opts<GlobalOptions>().json ? JSON.stringify(value, null, 2) : human());
  };

  program
    .command('serve')
    .description('start the runtime service (SQLite and the local Spark back-end by default)')
    .option('--port <port>', 'port to listen on', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'where the database, event logs and driver logs go', './data')
    .addOption(
      new Option('--database-url <url>', 'PostgreSQL URL (default: SQLite in the data dir)').env(
        'SPARKPLANE_DATABASE_URL',
      ),
    )
    .action(async (options: { port: string; host: string; dataDir: string; databaseUrl?: string }) => {
      const { serve } = await import('../main/serve');
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--port ${JSON.stringify(options.port)} is not a port number (0-65535)`);
      await serve({ port, host: options.host, dataDir: options.dataDir, databaseUrl: options.databaseUrl });
      await new Promise(() => undefined); // serve until a signal stops the process
    });

  program
    .command('submit')
    .description('submit an application, from a job file and/or flags')
    .option(
      '-f, --file <file>',
      'job file (YAML or JSON): { jobId, clusterId?, appId?, configTemplateId?, configOverrides }',
    )
    .option('--job <id>', 'job id (required unless in the file)')
    .option('--app <id>', 'application id (makes the submission idempotent)')
    .option('--cluster <id>', 'cluster id', undefined)
    .option('--template <id>', 'config template id')
    .option(
      '--set <path=value>',
      'override a config value, e.g. executor.memory=4g (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--idempotency-key <key>', 'Idempotency-Key header')
    .option('--wait', 'follow state changes and the driver log until the application ends')
    .action(
      async (options: {
        file?: string;
        job?: string;
        app?: string;
        cluster?: string;
        template?: string;
        set: string[];
        idempotencyKey?: string;
        wait?: boolean;
      }) => {
        const file = options.file ? await readJobFile(options.file) : undefined;
        const overrides: Record<string, unknown> = structuredClone(file?.configOverrides ?? {}) as Record<
          string,
          unknown
        >;
        for (const setting of options.set) parseSetting(setting, overrides);
        const body = {
          clusterId: options.cluster ?? file?.clusterId ?? 'local',
          jobId: options.job ?? file?.jobId,
          appId: options.app ?? file?.appId,
          configTemplateId: options.template ?? file?.configTemplateId,
          configOverrides: overrides,
        };
        if (!body.jobId) throw new Error('a job id is required: --job <id> or jobId in the job file');
        const headers: Record<string, string> = options.idempotencyKey
          ? { 'idempotency-key': options.idempotencyKey }
          : {};
        const app = await client().request<Application>('POST', '/api/v1/applications', body, headers);
        if (!options.wait) {
          print(app, () => `submitted ${app.id} (job ${app.jobId}, cluster ${app.clusterId}): ${app.state}`);
          return;
        }
        if (!program.opts<GlobalOptions>().json)
          console.log(`submitted ${app.id} (job ${app.jobId}, cluster ${app.clusterId})`);
        const final = await waitFor(app.id, !program.opts<GlobalOptions>().json);
        print(
          final,
          () =>
            `${final.id}: ${final.state}${final.stateReason ? ` (${final.stateReason})` : ''} after ${durationOf(final.startedAt, final.endedAt)}`,
        );
        if (!SUCCESSFUL_STATES.has(final.state)) exitCode = EXIT.appUnsuccessful;
      },
    );

  /** Polls the state and follows the driver log until the application ends. */
  const waitFor = async (id: string, human: boolean): Promise<Application> => {
    let state = '';
    const stopLog = new AbortController();
    const following = human ? followLog(id, stopLog.signal) : Promise.resolve();
    try {
      for (;;) {
        const app = await client().request<Application>('GET', `/api/v1/applications/${encodeURIComponent(id)}`);
        if (app.state !== state) {
          state = app.state;
          if (human) console.log(`[${new Date().toISOString()}] ${id}: ${state}`);
        }
        if (isTerminal(app.state)) return app;
        await sleep(1000);
      }
    } finally {
      stopLog.abort();
      await following.catch(() => undefined);
    }
  };

  const followLog = async (id: string, signal: AbortSignal) => {
    for await (const line of client().lines(`/api/v1/applications/${encodeURIComponent(id)}/log?follow=true`, signal)) {
      console.log(`  | ${line}`);
    }
  };

  program
    .command('render')
    .description('print, as YAML, the resources the kubernetes back-end would create for a job file (dry run)')
    .requiredOption('-f, --file <file>', 'job file (YAML or JSON)')
    .requiredOption('--cluster <id>', 'a kubernetes cluster of SPARKPLANE_CLUSTERS_FILE')
    .addOption(new Option('--clusters-file <file>', 'the clusters file').env('SPARKPLANE_CLUSTERS_FILE'))
    .action(async (options: { file: string; cluster: string; clustersFile?: string }) => {
      const { renderJobFile } = await import('./render');
      process.stdout.write(await renderJobFile(options.file, options.cluster, options.clustersFile));
    });

  const apps = program.command('apps').description('applications');
  apps
    .command('list')
    .option('--cluster <id>')
    .option('--job <id>')
    .addOption(new Option('--state <state...>').choices([...APP_STATES]))
    .option('--label <key=value...>', 'labels to match')
    .option('--limit <n>', 'page size', '50')
    .option('--cursor <cursor>', 'the nextCursor of the previous page')
    .action(
      async (options: {
        cluster?: string;
        job?: string;
        state?: string[];
        label?: string[];
        limit: string;
        cursor?: string;
      }) => {
        const query = new URLSearchParams();
        if (options.cluster) query.set('clusterId', options.cluster);
        if (options.job) query.set('jobId', options.job);
        for (const state of options.state ?? []) query.append('state', state);
        for (const label of options.label ?? []) query.append('label', label.replace('=', ':'));
        query.set('limit', options.limit);
        if (options.cursor) query.set('cursor', options.cursor);
        const page = await client().request<Page<Application>>('GET', `/api/v1/applications?${query}`);
        print(
          page,
          () => table(page.items, appColumns) + (page.nextCursor ? `\nmore: --cursor ${page.nextCursor}` : ''),
        );
      },
    );
  apps.command('get <id>').action(async (id: string) => {
    const app = await client().request<Application>('GET', `/api/v1/applications/${encodeURIComponent(id)}`);
    print(app, () => JSON.stringify(app, null, 2));
  });
  apps
    .command('logs <id>')
    .option('-f, --follow', 'follow the log until the application ends')
    .action(async (id: string, options: { follow?: boolean }) => {
      const path = `/api/v1/applications/${encodeURIComponent(id)}/log${options.follow ? '?follow=true' : ''}`;
      for await (const line of client().lines(path)) console.log(line);
    });
  apps.command('kill <id>').action(async (id: string) => {
    const app = await client().request<Application>('DELETE', `/api/v1/applications/${encodeURIComponent(id)}`);
    print(app, () => `${app.id}: ${app.state}`);
  });
  apps
    .command('wait <id>')
    .description('wait until the application ends; exit 1 unless it succeeded')
    .action(async (id: string) => {
      const app = await waitFor(id, !program.opts<GlobalOptions>().json);
      print(app, () => `${app.id}: ${app.state}${app.stateReason ? ` (${app.stateReason})` : ''}`);
      if (!SUCCESSFUL_STATES.has(app.state)) exitCode = EXIT.appUnsuccessful;
    });

  const jobs = program.command('jobs').description('jobs and their executions');
  jobs
    .command('list')
    .option('--cluster <id>')
    .action(async (options: { cluster?: string }) => {
      const query = options.cluster ? `?clusterId=${encodeURIComponent(options.cluster)}` : '';
      const page = await client().request<Page<StoredJob>>('GET', `/api/v1/jobs${query}`);
      print(page, () =>
        table(page.items, [
          { header: 'JOB', value: (j) => j.id },
          { header: 'CLUSTER', value: (j) => j.clusterId },
          { header: 'SCHEDULE', value: (j) => scheduleText(j.schedule) },
          { header: 'NEXT RUN', value: (j) => nextRunText(j.schedule) },
          { header: 'TUNING', value: (j) => j.tuning.mode },
          { header: 'UPDATED', value: (j) => j.updatedAt },
        ]),
      );
    });
  jobs
    .command('apply')
    .description('create or replace a job from its spec: config, schedule, tuning and concurrency policy')
    .requiredOption('-f, --file <file>', 'the job spec (YAML or JSON JobSpec, see examples/jobs/)')
    .action(async (options: { file: string }) => {
      const spec = await readJobSpecFile(options.file);
      const job = await client().request<StoredJob>('PUT', `/api/v1/jobs/${encodeURIComponent(spec.id)}/config`, spec);
      const schedule = scheduleText(job.schedule);
      const next = nextRunText(job.schedule);
      print(
        job,
        () =>
          `applied job ${job.id} on cluster ${job.clusterId}` +
          (schedule ? `, scheduled ${schedule}` : '') +
          (next ? `, next run at ${next}` : ''),
      );
    });
  jobs.command('get <id>').action(async (id: string) => {
    const job = await client().request<unknown>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`);
    print(job, () => JSON.stringify(job, null, 2));
  });

  const templates = program.command('templates').description('config templates of a cluster');
  const templatePath = (cluster: string, id?: string) =>
    `/api/v1/clusters/${encodeURIComponent(cluster)}/templates${id ? `/${encodeURIComponent(id)}` : ''}`;
  templates
    .command('list')
    .option('--cluster <id>', 'cluster id', 'local')
    .action(async (options: { cluster: string }) => {
      const page = await client().request<Page<{ id: string; config: unknown }>>('GET', templatePath(options.cluster));
      print(page, () =>
        table(page.items, [
          { header: 'TEMPLATE', value: (t) => t.id },
          { header: 'CONFIG', value: (t) => t.config },
        ]),
      );
    });
  templates
    .command('get <id>')
    .option('--cluster <id>', 'cluster id', 'local')
    .action(async (id: string, options: { cluster: string }) => {
      const template = await client().request<unknown>('GET', templatePath(options.cluster, id));
      print(template, () => JSON.stringify(template, null, 2));
    });
  for (const verb of ['create', 'update'] as const) {
    templates
      .command(`${verb} <id>`)
      .option('--cluster <id>', 'cluster id', 'local')
      .requiredOption('-f, --file <file>', 'the template config (YAML or JSON ApplicationConfig)')
      .action(async (id: string, options: { cluster: string; file: string }) => {
        const { readFile } = await import('node:fs/promises');
        const { parse } = await import('yaml');
        const config: unknown = parse(await readFile(options.file, 'utf8'));
        const template =
          verb === 'create'
            ? await client().request<unknown>('POST', templatePath(options.cluster), { id, config })
            : await client().request<unknown>('PUT', templatePath(options.cluster, id), { id, config });
        print(template, () => `${verb}d template ${id}`);
      });
  }
  templates
    .command('delete <id>')
    .option('--cluster <id>', 'cluster id', 'local')
    .action(async (id: string, options: { cluster: string }) => {
      await client().request<unknown>('DELETE', templatePath(options.cluster, id));
      print({ deleted: id }, () => `deleted template ${id}`);
    });

  const tokens = program.command('tokens').description('API tokens (admin)');
  tokens.command('list').action(async () => {
    const page = await client().request<
      Page<{ id: string; name: string; scopes: string[]; createdAt: string; revokedAt?: string }>
    >('GET', '/api/v1/tokens');
    print(page, () =>
      table(page.items, [
        { header: 'ID', value: (t) => t.id },
        { header: 'NAME', value: (t) => t.name },
        { header: 'SCOPES', value: (t) => t.scopes.join(',') },
        { header: 'CREATED', value: (t) => t.createdAt },
        { header: 'REVOKED', value: (t) => t.revokedAt },
      ]),
    );
  });
  tokens
    .command('create <name>')
    .requiredOption('--scope <scope...>', 'scopes, e.g. applications:create applications:kill')
    .option('--cluster <id...>', 'limit to these clusters')
    .option('--job <id...>', 'limit to these jobs')
    .option('--template <id...>', 'limit to these config templates')
    .action(
      async (name: string, options: { scope: string[]; cluster?: string[]; job?: string[]; template?: string[] }) => {
        const created = await client().request<{ id: string; secret: string }>('POST', '/api/v1/tokens', {
          name,
          scopes: options.scope,
          clusterIds: options.cluster,
          jobIds: options.job,
          templateIds: options.template,
        });
        print(created, () => `token ${created.id} created; its secret is shown once:\n${created.secret}`);
      },
    );
  tokens.command('revoke <id>').action(async (id: string) => {
    await client().request<unknown>('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`);
    print({ revoked: id }, () => `revoked token ${id}`);
  });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    console.error(`error: ${(error as Error).message}`);
    return exitCodeOf(error);
  }
}
