/** The kubernetes back-end's public surface, for runtime/main and the CLI's dry run. */
export { BatchSchedulerSettings, KubernetesClusterSettings } from './cluster-settings';
export { kubeConfigFor, loadDefaultKubeConfig, parseClusterSettings } from './kube-config';
export { KubernetesSparkBackend, type KubernetesSparkBackendOptions } from './kubernetes-backend';
export { type KubernetesBackendOptions, kubernetesBackend } from './plugin';
export { type EmittablePlacement, emittablePlacements } from './node-placement';
export { eventLogDir, POD_DEFAULTS, type RenderContext, renderSparkApplication } from './render';
export { renderResources, renderResourcesYaml } from './render-yaml';
export type { SparkApplication } from './spark-application';
export { KubernetesSparkJobSource, type KubernetesSparkJobSourceOptions } from './spark-job-source';
