/**
 * The cloud-agnostic Spark platform, on any cluster given as a ClusterHandle: namespaces,
 * spark-operator, Spark service accounts and RBAC, the sparkplane runtime and its database, the
 * Spark History Server, and NetworkPolicies. Thin class; the work is in createPlatform.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { eventLogRoot } from '../../runtime/domain/event-log-layout';
import { parseOrThrow } from '../../runtime/domain/validation';
import { applyManifest, logicalName } from './apply-manifest';
import { PlatformArgs, type PlatformArgsInput } from './args';
import type { ClusterHandle } from '../cluster/handle';
import { chartSource, mirroredImage } from '../cluster/mirrors';
import { DEFAULT_SPARK_IDENTITY } from '../cluster/spark-identity';
import {
  HISTORY_SERVER_NAME,
  HISTORY_SERVER_PORT,
  historyServerManifests,
  historyServerOptions,
} from './history-server-manifests';
import { checkIngress } from './ingress-manifests';
import { checkOceanHostname, oceanHostnameManifests } from './ocean-hostname';
import { appLabels, type Manifest } from './labels';
import { networkPolicies } from './network-policies';
import { postgresManifests, postgresUrl } from './postgres-manifests';
import { RUNTIME_NAME, runtimeClustersFile, runtimeManifests } from './runtime-manifests';
import { sparkOperatorCrds } from './spark-operator-crds';
import { sparkOperatorValues } from './spark-operator-values';
import { sparkJobCrd } from '../jobs/spark-job-crd';
import { sparkRbacManifests } from './spark-rbac-manifests';
import { SPARK_OPERATOR_CHART_REPOSITORY, SPARK_OPERATOR_CHART_VERSION } from './versions';

/** How the runtime is installed on this cluster; a control plane passes the fleet's files. */
export interface RuntimeOptions {
  /** Install the runtime and its database; false on a cluster that only registers with a control plane. @default true */
  enabled?: boolean;
  /** SPARKPLANE_CLUSTERS_FILE content. @default this cluster alone */
  clustersFile?: pulumi.Input<string>;
  /** SPARKPLANE_PRICES_FILE content. @default none: the runtime's default prices */
  pricesFile?: pulumi.Input<string>;
  /** kubeconfig with a context per remote cluster (secret), mounted as KUBECONFIG. @default none: in-cluster only */
  kubeconfig?: pulumi.Input<string>;
  /** Google credential configuration (an external_account, no secret), as GOOGLE_APPLICATION_CREDENTIALS. @default none */
  gcpCredentials?: pulumi.Input<string>;
}

export interface SparkPlatformArgs extends PlatformArgsInput {
  cluster: ClusterHandle;
  /** @default the runtime, managing this cluster alone */
  runtime?: RuntimeOptions;
}

export function validatePlatformArgs(input: unknown, prefix: readonly PropertyKey[] = []): PlatformArgs {
  return parseOrThrow(PlatformArgs, input, prefix);
}

function namespaceManifest(name: string, podSecurity: 'baseline' | 'restricted'): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        ...appLabels('sparkplane', 'namespace'),
        'pod-security.kubernetes.io/enforce': podSecurity,
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  };
}

export interface PlatformOutputs {
  runtimeUrl: pulumi.Output<string>;
  historyServerUrl?: pulumi.Output<string>;
  operator: k8s.helm.v3.Release;
}

export function createPlatform(
  parent: pulumi.ComponentResource,
  name: string,
  input: SparkPlatformArgs,
): PlatformOutputs {
  const { cluster, runtime = {}, ...rest } = input;
  const args = validatePlatformArgs(rest);
  const runtimeEnabled = runtime.enabled ?? true;
  if (args.ingress) checkIngress(args.ingress, cluster.ingressClasses);
  if (args.oceanHostname) checkOceanHostname(args.oceanHostname, cluster, runtimeEnabled);
  const spark = cluster.spark;
  const provider = cluster.provider;
  // handles built before these fields existed get the defaults
  const systemNamespace = spark.systemNamespace ?? DEFAULT_SPARK_IDENTITY.systemNamespace;
  const runtimeServiceAccount = spark.runtimeServiceAccount ?? DEFAULT_SPARK_IDENTITY.runtimeServiceAccount;
  const operatorNamespace = args.operatorNamespace;
  const ns = [...new Set([systemNamespace, spark.namespace, operatorNamespace, spark.historyNamespace])]
    .map((namespace) => namespaceManifest(namespace, 'baseline'))
    .map((manifest) => applyManifest(name, manifest, { parent, provider }));
  const opts: pulumi.CustomResourceOptions = { parent, provider, dependsOn: [...ns, ...(cluster.dependsOn ?? [])] };
  const apply = (manifests: Manifest[], extra: pulumi.CustomResourceOptions = {}) =>
    manifests.map((manifest) => applyManifest(name, manifest, { ...opts, ...extra }));

  // Helm never upgrades a chart's crds/: the platform owns them, so a chart bump upgrades them too
  const operatorCrds = apply(sparkOperatorCrds());
  const operator = new k8s.helm.v3.Release(
    `${name}-spark-operator`,
    {
      name: 'spark-operator',
      ...chartSource(
        { repository: SPARK_OPERATOR_CHART_REPOSITORY, name: 'spark-operator', version: SPARK_OPERATOR_CHART_VERSION },
        args.mirrors,
      ),
      version: SPARK_OPERATOR_CHART_VERSION,
      namespace: operatorNamespace,
      skipCrds: true,
      atomic: true,
      values: sparkOperatorValues(args.sparkOperator, spark.namespace, args.mirrors, args.monitoring),
    },
    { ...opts, dependsOn: [...(opts.dependsOn as pulumi.Resource[]), ...operatorCrds] },
  );
  apply(sparkRbacManifests(spark, spark.serviceAccountAnnotations));
  // jobs as code: a Pulumi-managed CRD, so an upgrade of the platform upgrades it
  apply([sparkJobCrd()]);

  const bucketUrl = pulumi.output(cluster.objectStorageUrl);
  if (runtimeEnabled) {
    let databaseUrl: pulumi.Input<string>;
    if (cluster.database) {
      databaseUrl = cluster.database.url;
    } else {
      const password = new random.RandomPassword(`${name}-postgres`, { length: 32, special: false }, { parent });
      apply(
        postgresManifests(
          systemNamespace,
          { ...args.inClusterDatabase, image: mirroredImage(args.inClusterDatabase.image, args.mirrors) },
          password.result,
        ),
      );
      databaseUrl = pulumi.secret(password.result.apply((p) => postgresUrl(systemNamespace, p)));
    }
    const adminToken = new random.RandomPassword(`${name}-admin-token`, { length: 40, special: false }, { parent });
    const metricsToken = new random.RandomPassword(`${name}-metrics-token`, { length: 40, special: false }, { parent });
    // the back-end is given the bucket and writes under its event-log directory (runtime/domain/event-log-layout.ts)
    const clustersFile =
      runtime.clustersFile ??
      pulumi.all([cluster.clusterName, bucketUrl]).apply(([clusterId, url]) =>
        runtimeClustersFile({
          clusterId,
          spark,
          eventLogBucketUrl: url,
          autoscaler: cluster.autoscaler,
          operatorNamespace,
          ...(args.historyServer.enabled && args.historyServer.publicUrl
            ? { historyServerUrl: args.historyServer.publicUrl }
            : {}),
        }),
      );
    apply(
      runtimeManifests({
        namespace: systemNamespace,
        args,
        clustersFile,
        databaseUrl,
        adminToken: adminToken.result,
        metricsToken: metricsToken.result,
        spark,
        serviceAccount: runtimeServiceAccount,
        operatorNamespace,
        ...(runtime.pricesFile ? { pricesFile: runtime.pricesFile } : {}),
        ...(runtime.kubeconfig ? { kubeconfig: pulumi.secret(runtime.kubeconfig) } : {}),
        ...(runtime.gcpCredentials ? { gcpCredentials: runtime.gcpCredentials } : {}),
      }),
      {
        dependsOn: [...(opts.dependsOn as pulumi.Resource[]), operator],
      },
    );
    if (args.oceanHostname) {
      const hosted = oceanHostnameManifests({
        args: args.oceanHostname,
        namespace: systemNamespace,
        runtimeService: { name: RUNTIME_NAME, portName: 'http' },
      });
      apply(hosted.objects);
      if (hosted.dnsPatch) {
        // a patch of kube-system's CoreDNS ConfigMap: the cluster owns it, the platform only its rule
        new k8s.core.v1.ConfigMapPatch(logicalName(name, hosted.dnsPatch), hosted.dnsPatch as never, {
          parent,
          provider,
          // EKS's Corefile taken over: a destroy that removed it would leave the cluster without DNS
          retainOnDelete: args.oceanHostname.dns === 'eks-coredns',
        });
      }
    }
  }

  let historyServerUrl: pulumi.Output<string> | undefined;
  if (args.historyServer.enabled) {
    const historyServer = { ...args.historyServer, image: mirroredImage(args.historyServer.image, args.mirrors) };
    apply(
      historyServerManifests(
        spark,
        historyServer,
        bucketUrl.apply((url) => historyServerOptions(eventLogRoot(url))),
      ),
    );
    historyServerUrl = pulumi.output(
      `http://${HISTORY_SERVER_NAME}.${spark.historyNamespace}.svc:${HISTORY_SERVER_PORT}`,
    );
  }
  apply(
    networkPolicies({
      systemNamespace,
      sparkNamespace: spark.namespace,
      operatorNamespace,
      inClusterDatabase: runtimeEnabled && !cluster.database,
      historyNamespace: args.historyServer.enabled ? spark.historyNamespace : undefined,
    }),
  );
  const runtimeUrl = pulumi.output(
    // with an ingress, TLS is terminated by its secret or by the ingress controller
    args.ingress ? `https://${args.ingress.host}` : `http://${RUNTIME_NAME}.${systemNamespace}.svc`,
  );
  return { runtimeUrl, ...(historyServerUrl ? { historyServerUrl } : {}), operator };
}

/** sparkplane and everything Spark needs, on the cluster of `args.cluster`. */
export class SparkPlatform extends pulumi.ComponentResource {
  readonly runtimeUrl: pulumi.Output<string>;
  readonly historyServerUrl: pulumi.Output<string | undefined>;

  constructor(name: string, args: SparkPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super('sparkplane:platform:SparkPlatform', name, {}, opts);
    const outputs = createPlatform(this, name, args);
    this.runtimeUrl = outputs.runtimeUrl;
    this.historyServerUrl = pulumi.output(outputs.historyServerUrl);
    this.registerOutputs({ runtimeUrl: this.runtimeUrl, historyServerUrl: this.historyServerUrl });
  }
}
