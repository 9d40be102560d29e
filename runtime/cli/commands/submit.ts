/** `sparkplane submit`: one application from a job file and/or flags, optionally followed to its end. */
import type { Command } from 'commander';
import type { Cli } from '../context';
import { EXIT_APP_UNSUCCESSFUL, UsageError } from '../errors';
import { parseSetting } from '../settings';
import { runLine } from '../summary';
import { waitForEnd } from '../wait';

interface SubmitOptions {
  file?: string;
  job?: string;
  app?: string;
  cluster?: string;
  template?: string;
  set: string[];
  idempotencyKey?: string;
  wait?: boolean;
}

export function register(command: Command, cli: Cli): void {
  command
    .option(
      '-f, --file <file>',
      'job file (YAML or JSON): { jobId, clusterId?, appId?, configTemplateId?, configOverrides }',
    )
    .option('--job <id>', 'job id (required unless in the file)')
    .option('--app <id>', 'application id (makes the submission idempotent)')
    .option('--cluster <id>', 'cluster id (default: the job file\'s, else "local")')
    .option('--template <id>', 'config template id')
    .option(
      '--set <path=value>',
      'override a config value (repeatable): executor.memory=4g, arguments=\'["a","b"]\' (JSON), sparkConf.spark.x=1',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--idempotency-key <key>', 'Idempotency-Key header')
    .option('--wait', 'follow state changes and the driver log until the application ends; exit 1 unless it succeeded')
    .action(async (options: SubmitOptions) => {
      // the job file is checked against the domain's schema: that loads it (and zod), so only with -f
      const file = options.file ? await (await import('../job-file')).readJobFile(options.file) : undefined;
      const overrides = structuredClone(file?.configOverrides ?? {}) as Record<string, unknown>;
      for (const setting of options.set) parseSetting(setting, overrides);
      const jobId = options.job ?? file?.jobId;
      if (!jobId) throw new UsageError('a job id is required: --job <id> or jobId in the job file');
      const appId = options.app ?? file?.appId;
      const configTemplateId = options.template ?? file?.configTemplateId;
      const app = await cli.client().submit(
        {
          clusterId: options.cluster ?? file?.clusterId ?? 'local',
          jobId,
          ...(appId ? { appId } : {}),
          ...(configTemplateId ? { configTemplateId } : {}),
          configOverrides: overrides,
        },
        options.idempotencyKey,
      );
      if (!options.wait) {
        await cli.print(app, () => `submitted ${app.id} (job ${app.jobId}, cluster ${app.clusterId}): ${app.state}`);
        return;
      }
      if (cli.forPeople()) console.log(`submitted ${app.id} (job ${app.jobId}, cluster ${app.clusterId})`);
      const ended = await waitForEnd(cli, app.id);
      await cli.print(ended.app, () => runLine(ended.app));
      if (!ended.succeeded) cli.exitCode = EXIT_APP_UNSUCCESSFUL;
    });
}
