/** `sparkplane apps`: list, get, logs, kill, wait. */
import type { Command } from 'commander';
import type { Cli } from '../context';
import { EXIT_APP_UNSUCCESSFUL } from '../errors';
import { table } from '../output';
import { applicationColumns, applicationSummary, runLine } from '../summary';
import { waitForEnd } from '../wait';

interface ListOptions {
  cluster?: string;
  job?: string;
  state?: string[];
  label?: string[];
  limit: string;
  cursor?: string;
}

export function register(apps: Command, cli: Cli): void {
  apps
    .command('list')
    .description('applications, newest first (-o: the page, with its nextCursor)')
    .option('--cluster <id>', 'of this cluster')
    .option('--job <id>', 'of this job')
    // the API checks the states and names the ones it knows: the CLI loads no list of them
    .option('--state <state...>', 'in these states, e.g. RUNNING FAILED')
    .option('--label <key=value...>', 'with these labels')
    .option('--limit <n>', 'page size', '50')
    .option('--cursor <cursor>', 'the page after the one that printed it')
    .action(async (options: ListOptions) => {
      const page = await cli.client().applications({
        clusterId: options.cluster,
        jobId: options.job,
        state: options.state,
        label: options.label?.map((label) => label.replace('=', ':')),
        limit: options.limit,
        cursor: options.cursor,
      });
      await cli.print(
        page,
        () => table(page.items, applicationColumns()) + (page.nextCursor ? `\nmore: --cursor ${page.nextCursor}` : ''),
      );
    });

  apps
    .command('get <id>')
    .description('state, duration, cost, data read and written, efficiency, what tuning changed (-o: all of it)')
    .action(async (id: string) => {
      const app = await cli.client().application(id);
      await cli.print(app, () => applicationSummary(app));
    });

  apps
    .command('logs <id>')
    .description('the driver log')
    .option('-f, --follow', 'follow the log until the application ends')
    .action(async (id: string, options: { follow?: boolean }) => {
      for await (const line of cli.client().log(id, { follow: options.follow ?? false })) console.log(line);
    });

  apps
    .command('kill <id>')
    .description('stop it (an application that ended is left as it is)')
    .action(async (id: string) => {
      const app = await cli.client().kill(id);
      await cli.print(app, () => `${app.id}: ${app.state}`);
    });

  apps
    .command('wait <id>')
    .description('wait until the application ends; exit 1 unless it succeeded')
    .action(async (id: string) => {
      const { app, succeeded } = await waitForEnd(cli, id);
      await cli.print(app, () => runLine(app));
      if (!succeeded) cli.exitCode = EXIT_APP_UNSUCCESSFUL;
    });
}
