/** `sparkplane clusters`: list, get. */
import type { Command } from 'commander';
import type { Cli } from '../context';
import { table } from '../output';
import { clusterColumns, clusterSummary } from '../summary';

export function register(clusters: Command, cli: Cli): void {
  clusters
    .command('list')
    .description('every cluster with its back-end and state')
    .action(async () => {
      const list = await cli.client().clusters();
      await cli.print(list, () => table(list.items, clusterColumns));
    });

  clusters
    .command('get <id>')
    .description('a cluster: its state and why, its health, its settings')
    .action(async (id: string) => {
      const cluster = await cli.client().cluster(id);
      await cli.print(cluster, () => clusterSummary(cluster));
    });
}
