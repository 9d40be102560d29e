/** The registry of back-end kinds this runtime ships: a new kind is one more entry here. */
import { kubernetesBackend } from '../adapters/k8s/plugin';
import { localBackend } from '../adapters/local';
import type { BackendPlugin } from '../domain/ports';
import { findSparkInstall } from './spark-install';

export function defaultBackendPlugins(): BackendPlugin[] {
  // the Spark install is looked for only when a local cluster is built
  return [localBackend({ spark: () => findSparkInstall() }), kubernetesBackend()];
}
