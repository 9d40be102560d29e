/**
 * Credentials of many clusters: each sparkplane cluster names a context of one kubeconfig
 * (KUBECONFIG, ~/.kube/config), or, with no context, uses the current one or the in-cluster
 * service account when the runtime runs inside Kubernetes.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { DomainError } from '../../domain/errors';
import { parseOrThrow } from '../../domain/validation';
import { KubernetesClusterSettings } from './cluster-settings';

/** The default kubeconfig: $KUBECONFIG, ~/.kube/config, else in-cluster credentials. */
export function loadDefaultKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  return kubeConfig;
}

/** A KubeConfig of its own whose current context is `context` (absent: the base's current one). */
export function kubeConfigFor(context: string | undefined, base: KubeConfig): KubeConfig {
  if (context === undefined) return base;
  const names = base.getContexts().map((c) => c.name);
  if (!names.includes(context)) {
    const path = 'settings.context';
    throw new DomainError(
      'VALIDATION_FAILED',
      `${path}: ${JSON.stringify(context)} is not a context of the kubeconfig (contexts: ${names.join(', ') || 'none'})`,
      [{ path, message: 'is not a context of the kubeconfig' }],
    );
  }
  const own = new KubeConfig();
  own.loadFromString(base.exportConfig());
  own.setCurrentContext(context);
  return own;
}

/** Parses a stored cluster's settings, naming the field of any bad one (e.g. "settings.namespace"). */
export function parseClusterSettings(settings: unknown): KubernetesClusterSettings {
  return parseOrThrow(KubernetesClusterSettings, settings ?? {}, ['settings']);
}
