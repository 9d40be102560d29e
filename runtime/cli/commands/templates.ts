/** `sparkplane templates`: the config templates of a cluster. */
import type { Command } from 'commander';
import type { Cli } from '../context';
import { fields, table } from '../output';

export function register(templates: Command, cli: Cli): void {
  const clusterOption = ['--cluster <id>', 'cluster id', 'local'] as const;

  templates
    .command('list')
    .description("the cluster's config templates")
    .option(...clusterOption)
    .action(async (options: { cluster: string }) => {
      const list = await cli.client().templates(options.cluster);
      await cli.print(list, () =>
        table(list.items, [
          { header: 'TEMPLATE', value: (t) => t.id },
          { header: 'UPDATED', value: (t) => t.updatedAt },
          { header: 'CONFIG', value: (t) => t.config },
        ]),
      );
    });

  templates
    .command('get <id>')
    .description('a config template, its config as YAML')
    .option(...clusterOption)
    .action(async (id: string, options: { cluster: string }) => {
      const template = await cli.client().template(options.cluster, id);
      // YAML is how template files are written: the readable form shows the config the same way
      const config = cli.forPeople() ? (await import('yaml')).stringify(template.config).trimEnd() : '';
      await cli.print(
        template,
        () =>
          `${fields([
            ['Name', template.id],
            ['Cluster', template.clusterId],
            ['Updated', template.updatedAt],
          ])}\nConfig:\n${config.replace(/^/gm, '  ')}`,
      );
    });

  for (const verb of ['create', 'update'] as const) {
    templates
      .command(`${verb} <id>`)
      .description(verb === 'create' ? 'a new config template' : "replace a template's config")
      .option(...clusterOption)
      .requiredOption('-f, --file <file>', 'the template config (YAML or JSON ApplicationConfig)')
      .action(async (id: string, options: { cluster: string; file: string }) => {
        const config = await (await import('../job-file')).readTemplateConfigFile(options.file);
        const client = cli.client();
        const template =
          verb === 'create'
            ? await client.createTemplate(options.cluster, { id, config })
            : await client.updateTemplate(options.cluster, { id, config });
        await cli.print(template, () => `${verb}d template ${id}`);
      });
  }

  templates
    .command('delete <id>')
    .description('delete a config template (the applications that used it keep their config)')
    .option(...clusterOption)
    .action(async (id: string, options: { cluster: string }) => {
      await cli.client().deleteTemplate(options.cluster, id);
      await cli.print({ deleted: id }, () => `deleted template ${id}`);
    });
}
