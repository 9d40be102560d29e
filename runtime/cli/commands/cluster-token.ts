/**
 * `sparkplane cluster-token eks|gke`: the exec credential plugin of the control plane's kubeconfig,
 * printing an ExecCredential for an EKS or GKE API server made with the runtime's own identity.
 */
import type { Command } from 'commander';
import { loadTypeScript } from '../typescript-sources';

export function register(command: Command): void {
  command
    .command('eks')
    .description('a token for an EKS cluster (what `aws eks get-token` prints), from the AWS SDK credential chain')
    .requiredOption('--cluster-name <name>', 'the EKS cluster name')
    .requiredOption('--region <region>', 'the AWS region of the cluster')
    .action(async (options: { clusterName: string; region: string }) => {
      await loadTypeScript();
      const { eksToken, execCredential } = await import('../../adapters/k8s/cluster-tokens');
      process.stdout.write(`${execCredential(await eksToken(options.clusterName, options.region))}\n`);
    });
  command
    .command('gke')
    .description('a token for a GKE cluster (what gke-gcloud-auth-plugin prints), from the Google identity')
    .action(async () => {
      await loadTypeScript();
      const { gkeToken, execCredential } = await import('../../adapters/k8s/cluster-tokens');
      process.stdout.write(`${execCredential(await gkeToken())}\n`);
    });
}
