/**
 * What the control plane's runtime is told about each cluster of the fleet, as the runtime reads
 * it: SPARKPLANE_CLUSTERS_FILE entries (runtime/domain/cluster.ts ClusterSpec, with kubernetes
 * back-end settings), one kubeconfig with a context per remote cluster, and one price table. Pure.
 */
import { parse, stringify } from 'yaml';
import { ClusterSpec } from '../../runtime/domain/cluster';
import type { AutoscalerKind, SparkIdentity } from '../cluster/handle';

export interface RegisteredCluster {
  /** The runtime's cluster id (the cluster's name). */
  id: string;
  region: string;
  /** True for the cluster the control plane runs in: reached with in-cluster credentials. */
  host: boolean;
  spark: Pick<SparkIdentity, 'namespace' | 'driverServiceAccount' | 'executorServiceAccount'>;
  autoscaler: AutoscalerKind;
  /** The event-log bucket, e.g. "gs://bucket": the back-end writes under its event-log directory. */
  eventLogBucketUrl: string;
  /** The cluster's kubeconfig (JSON or YAML), for remote clusters. */
  kubeconfig: string;
}

/** SPARKPLANE_CLUSTERS_FILE of the control plane: every cluster, remote ones through their kubeconfig context. */
export function controlPlaneClustersFile(clusters: RegisteredCluster[]): string {
  const specs = clusters.map((c) =>
    ClusterSpec.parse({
      id: c.id,
      region: c.region,
      backend: 'kubernetes',
      settings: {
        ...(c.host ? {} : { context: c.id }),
        namespace: c.spark.namespace,
        serviceAccount: c.spark.driverServiceAccount,
        executorServiceAccount: c.spark.executorServiceAccount,
        eventLogBucketUrl: c.eventLogBucketUrl,
        // 'none': nodes are labelled by hand with the Karpenter-style labels of the placement contract
        autoscaler: c.autoscaler === 'none' ? 'karpenter' : c.autoscaler,
      },
    }),
  );
  return stringify(specs);
}

interface Kubeconfig {
  clusters?: { name: string; cluster: unknown }[];
  users?: { name: string; user: unknown }[];
  contexts?: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  'current-context'?: string;
}

/** One kubeconfig with a context named by each remote cluster's id (its current context renamed). */
export function controlPlaneKubeconfig(clusters: RegisteredCluster[]): string {
  const merged: Required<Pick<Kubeconfig, 'clusters' | 'users' | 'contexts'>> = {
    clusters: [],
    users: [],
    contexts: [],
  };
  for (const c of clusters.filter((cluster) => !cluster.host)) {
    const config = parse(c.kubeconfig) as Kubeconfig;
    const current = config.contexts?.find((x) => x.name === config['current-context']) ?? config.contexts?.[0];
    const cluster = config.clusters?.find((x) => x.name === current?.context.cluster);
    const user = config.users?.find((x) => x.name === current?.context.user);
    if (!current || !cluster || !user)
      throw new Error(`cluster ${c.id}: its kubeconfig has no current context with a cluster and a user`);
    merged.clusters.push({ name: c.id, cluster: cluster.cluster });
    merged.users.push({ name: c.id, user: runtimeUser(user.user) });
    merged.contexts.push({ name: c.id, context: { cluster: c.id, user: c.id } });
  }
  return stringify({ apiVersion: 'v1', kind: 'Config', ...merged });
}

interface ExecUser {
  exec?: { apiVersion?: string; command?: string; args?: string[] };
}

/**
 * The user as the runtime authenticates: the cloud CLIs' exec plugins (`aws eks get-token`,
 * gke-gcloud-auth-plugin), which its image does not hold, become `sparkplane cluster-token`, which
 * makes the same token in-process with the runtime's own identity.
 */
export function runtimeUser(user: unknown): unknown {
  const exec = (user as ExecUser | undefined)?.exec;
  const apiVersion = exec?.apiVersion ?? 'client.authentication.k8s.io/v1beta1';
  const args = exec?.args ?? [];
  const valueOf = (flag: string) => {
    const at = args.indexOf(flag);
    return at < 0 ? undefined : args[at + 1];
  };
  if (exec?.command === 'aws' && args[0] === 'eks' && args[1] === 'get-token') {
    const clusterName = valueOf('--cluster-name');
    const region = valueOf('--region');
    if (clusterName && region)
      return {
        exec: {
          apiVersion,
          command: 'sparkplane',
          args: ['cluster-token', 'eks', '--cluster-name', clusterName, '--region', region],
        },
      };
  }
  if (exec?.command === 'gke-gcloud-auth-plugin')
    return { exec: { apiVersion, command: 'sparkplane', args: ['cluster-token', 'gke'] } };
  return user;
}

/** SPARKPLANE_PRICES_FILE: every cluster's instance prices in one table (prices are keyed by region). */
export function controlPlanePricesFile(prices: Record<string, unknown>[][]): string {
  return stringify({ currency: 'USD', instances: prices.flat() });
}
