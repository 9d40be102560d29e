/** `sparkplane jobs`: list, get, stats, recommendation, apply. */
import type { Command } from 'commander';
import type { Cli } from '../context';
import { table } from '../output';
import { jobSummary, recommendationSummary, scheduleText, statisticsSummary } from '../summary';

export function register(jobs: Command, cli: Cli): void {
  jobs
    .command('list')
    .description('jobs with their schedule and next run')
    .option('--cluster <id>', 'of this cluster')
    .option('--limit <n>', 'page size', '50')
    .option('--cursor <cursor>', 'the page after the one that printed it')
    .action(async (options: { cluster?: string; limit: string; cursor?: string }) => {
      const page = await cli
        .client()
        .jobs({ clusterId: options.cluster, limit: options.limit, cursor: options.cursor });
      await cli.print(
        page,
        () =>
          table(page.items, [
            { header: 'JOB', value: (j) => j.id },
            { header: 'CLUSTER', value: (j) => j.clusterId },
            { header: 'SCHEDULE', value: (j) => scheduleText(j.schedule) },
            { header: 'NEXT RUN', value: (j) => j.nextRunAt },
            { header: 'TUNING', value: (j) => j.tuning.mode },
            { header: 'UPDATED', value: (j) => j.updatedAt },
          ]) + (page.nextCursor ? `\nmore: --cursor ${page.nextCursor}` : ''),
      );
    });

  jobs
    .command('get <id>')
    .description('the job, its last run in full and its latest executions (-o: all of it)')
    .action(async (id: string) => {
      const job = await cli.client().job(id);
      await cli.print(job, () => jobSummary(job));
    });

  jobs
    .command('stats <id>')
    .description('medians of the last runs (cost, duration, data read and written, efficiency) and their series')
    .action(async (id: string) => {
      const stats = await cli.client().jobStatistics(id);
      await cli.print(stats, () => statisticsSummary(id, stats));
    });

  jobs
    .command('recommendation <id>')
    .description('what tuning sets for the next run, each change with its reason, and the prediction')
    .action(async (id: string) => {
      const recommendation = await cli.client().jobRecommendation(id);
      await cli.print(recommendation, () => recommendationSummary(id, recommendation));
    });

  jobs
    .command('apply')
    .description('create or replace a job from its spec: config, schedule, tuning and concurrency policy')
    .requiredOption('-f, --file <file>', 'the job spec (YAML or JSON JobSpec, see examples/jobs/)')
    .action(async (options: { file: string }) => {
      const spec = await (await import('../job-file')).readJobSpecFile(options.file);
      const job = await cli.client().applyJob(spec);
      const schedule = scheduleText(job.schedule);
      await cli.print(
        job,
        () =>
          `applied job ${job.id} on cluster ${job.clusterId}` +
          (schedule ? `, scheduled ${schedule}` : '') +
          (job.nextRunAt ? `, next run at ${job.nextRunAt}` : ''),
      );
    });
}
