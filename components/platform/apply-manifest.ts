/** Creates the Pulumi Kubernetes resource for a rendered manifest, under a stable logical name. */
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { Manifest } from './labels';

type Constructor = new (name: string, args: never, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

const KINDS: Record<string, Constructor> = {
  'v1/Namespace': k8s.core.v1.Namespace,
  'v1/ServiceAccount': k8s.core.v1.ServiceAccount,
  'v1/ConfigMap': k8s.core.v1.ConfigMap,
  'v1/Secret': k8s.core.v1.Secret,
  'v1/Service': k8s.core.v1.Service,
  'apps/v1/Deployment': k8s.apps.v1.Deployment,
  'apps/v1/StatefulSet': k8s.apps.v1.StatefulSet,
  'policy/v1/PodDisruptionBudget': k8s.policy.v1.PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/Role': k8s.rbac.v1.Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': k8s.rbac.v1.RoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRole': k8s.rbac.v1.ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': k8s.rbac.v1.ClusterRoleBinding,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': k8s.apiextensions.v1.CustomResourceDefinition,
  'networking.k8s.io/v1/Ingress': k8s.networking.v1.Ingress,
  'networking.k8s.io/v1/NetworkPolicy': k8s.networking.v1.NetworkPolicy,
};

/** "<prefix>-<kind>-<namespace>-<name>": derived from the object's identity only, never from settings. */
export function logicalName(prefix: string, manifest: Manifest): string {
  return [prefix, manifest.kind.toLowerCase(), manifest.metadata.namespace, manifest.metadata.name]
    .filter(Boolean)
    .join('-');
}

export function applyManifest(
  prefix: string,
  manifest: Manifest,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const constructor = KINDS[`${manifest.apiVersion}/${manifest.kind}`];
  if (!constructor) {
    return new k8s.apiextensions.CustomResource(
      logicalName(prefix, manifest),
      manifest as k8s.apiextensions.CustomResourceArgs,
      opts,
    );
  }
  return new constructor(logicalName(prefix, manifest), manifest as never, opts);
}
