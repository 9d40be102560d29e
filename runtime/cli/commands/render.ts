/** `sparkplane render`: the dry run of the kubernetes back-end for a job file, offline. */
import { type Command, Option } from 'commander';
import { loadTypeScript } from '../typescript-sources';

export function register(command: Command): void {
  command
    .requiredOption('-f, --file <file>', 'job file (YAML or JSON)')
    .requiredOption('--cluster <id>', 'a kubernetes cluster of SPARKPLANE_CLUSTERS_FILE')
    .addOption(new Option('--clusters-file <file>', 'the clusters file').env('SPARKPLANE_CLUSTERS_FILE'))
    .action(async (options: { file: string; cluster: string; clustersFile?: string }) => {
      await loadTypeScript();
      const { renderJobFile } = await import('../render');
      process.stdout.write(await renderJobFile(options.file, options.cluster, options.clustersFile));
    });
}
