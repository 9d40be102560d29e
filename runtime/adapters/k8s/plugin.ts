/** The `kubernetes` back-end kind: its cluster settings, how a cluster's back-end is built, its probe. */
import type { KubeConfig } from '@kubernetes/client-node';
import { kubernetesKnobs } from '../../domain/backend-knobs';
import type { BackendPlugin } from '../../domain/ports';
import { KubernetesClusterSettings } from './cluster-settings';
import type { KubernetesSparkBackend, KubernetesSparkBackendOptions } from './kubernetes-backend';

export interface KubernetesBackendOptions extends Pick<
  KubernetesSparkBackendOptions,
  'requestTimeoutMs' | 'retry' | 'watchTimeoutSeconds' | 'resyncIntervalMs' | 'logPollIntervalMs' | 'recentlyEndedLimit'
> {
  /**
   * The kubeconfig whose contexts the clusters name (settings.context), read each time a
   * kubernetes cluster is created. @default loadDefaultKubeConfig: $KUBECONFIG, ~/.kube/config, else in-cluster credentials
   */
  kubeConfig?: () => KubeConfig;
}

export function kubernetesBackend(
  options: KubernetesBackendOptions = {},
): BackendPlugin<KubernetesClusterSettings, KubernetesSparkBackend> {
  const { kubeConfig: loadKubeConfig, ...tuning } = options;
  return {
    kind: 'kubernetes',
    description: 'kubeflow spark-operator SparkApplications on a Kubernetes cluster',
    settings: KubernetesClusterSettings,
    // @kubernetes/client-node takes about a second to load: a runtime without a kubernetes cluster
    // (the default, the local demo) answers its first request without waiting for it
    create: async (cluster, context) => {
      const [{ kubeConfigFor, loadDefaultKubeConfig }, { KubernetesSparkBackend }] = await Promise.all([
        import('./kube-config'),
        import('./kubernetes-backend'),
      ]);
      return new KubernetesSparkBackend({
        ...tuning,
        clusterId: cluster.id,
        kubeConfig: kubeConfigFor(cluster.settings.context, (loadKubeConfig ?? loadDefaultKubeConfig)()),
        settings: cluster.settings,
        clock: context.clock,
        logger: context.logger,
      });
    },
    probe: (backend) => backend.probe(),
    tuningKnobs: (settings) => kubernetesKnobs({ architecture: settings.imageArchitecture }),
  };
}
