/**
 * The sparkplane runtime on the cluster: its configuration (the kubernetes back-end for this
 * cluster) and secrets, RBAC over SparkApplications, the Deployment with probes and resources, a
 * PodDisruptionBudget, a Service with a metrics port, and an optional Ingress.
 */
import type * as pulumi from '@pulumi/pulumi';
import { stringify } from 'yaml';
import type { AutoscalerKind, SparkIdentity } from '../cluster/handle';
import type { PlatformArgs } from './args';
import { ingressManifest } from './ingress-manifests';
import { SPARK_JOB_GROUP, SPARK_JOB_PLURAL } from '../../runtime/domain/spark-job';
import { appLabels, type Manifest, selectorLabels } from './labels';

export const RUNTIME_NAME = 'sparkplane';
export const RUNTIME_PORT = 8080;
/** The Secret holding the token a scrape sends (scope metrics:read), and its key. */
export const METRICS_SECRET = { name: `${RUNTIME_NAME}-metrics`, key: 'token' } as const;
export const METRICS_PATH = '/metrics';
const CONFIG_DIR = '/etc/sparkplane';
const KUBECONFIG_DIR = '/etc/sparkplane-kube';
const DATA_DIR = '/var/lib/sparkplane';

/** The runtime's SPARKPLANE_CLUSTERS_FILE: one `kubernetes` cluster, this one (runtime/main/config.ts ClusterConfig). */
export function runtimeClustersFile(input: {
  clusterId: string;
  spark: Pick<SparkIdentity, 'namespace' | 'driverServiceAccount' | 'executorServiceAccount'>;
  /** The cluster's bucket ("s3a://bucket"): the back-end writes event logs under its event-log directory. */
  eventLogBucketUrl?: string;
  autoscaler: AutoscalerKind;
  /** The History Server's address for browsers, linked from ended applications. */
  historyServerUrl?: string;
  /** Where spark-operator runs: the runtime's probe reads its Deployments there. */
  operatorNamespace: string;
}): string {
  const settings: Record<string, unknown> = {
    namespace: input.spark.namespace,
    operatorNamespace: input.operatorNamespace,
    serviceAccount: input.spark.driverServiceAccount,
    executorServiceAccount: input.spark.executorServiceAccount,
    ...(input.eventLogBucketUrl ? { eventLogBucketUrl: input.eventLogBucketUrl } : {}),
    // 'none': nodes are labelled by hand with the Karpenter-style labels of the placement contract
    autoscaler: input.autoscaler === 'none' ? 'karpenter' : input.autoscaler,
    ...(input.historyServerUrl ? { historyServerUrl: input.historyServerUrl } : {}),
  };
  return stringify([{ id: input.clusterId, backend: 'kubernetes', settings }]);
}

/** The key of the runtime's ConfigMap holding its Google credential configuration. */
const GCP_CREDENTIALS_KEY = 'gcp-credentials.json';

export interface RuntimeManifestInput {
  namespace: string;
  args: PlatformArgs;
  /** SPARKPLANE_CLUSTERS_FILE content. */
  clustersFile: pulumi.Input<string>;
  databaseUrl: pulumi.Input<string>;
  adminToken: pulumi.Input<string>;
  /** Registered by the runtime with scope metrics:read only (SPARKPLANE_METRICS_TOKEN): what Prometheus sends. */
  metricsToken: pulumi.Input<string>;
  spark: Pick<SparkIdentity, 'namespace'>;
  /** The runtime's service account (bound to the cloud identity that reads event logs). */
  serviceAccount: string;
  /** Where spark-operator runs: the runtime reads its Deployments to tell whether it is up. */
  operatorNamespace: string;
  /** SPARKPLANE_PRICES_FILE content. @default none: the runtime's default prices */
  pricesFile?: pulumi.Input<string>;
  /** kubeconfig naming a context per remote cluster (a control plane's), mounted as KUBECONFIG. @default none */
  kubeconfig?: pulumi.Input<string>;
  /**
   * A Google credential configuration holding no secret (an external_account of Workload Identity
   * Federation), mounted as GOOGLE_APPLICATION_CREDENTIALS. @default none: the cloud's own identity
   */
  gcpCredentials?: pulumi.Input<string>;
}

export function runtimeManifests(input: RuntimeManifestInput): Manifest[] {
  const { namespace, args } = input;
  const labels = appLabels(RUNTIME_NAME, 'runtime');
  const selector = selectorLabels(RUNTIME_NAME);
  const meta = (name: string) => ({ name, namespace, labels });
  const manifests: Manifest[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(input.serviceAccount) },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(`${RUNTIME_NAME}-config`),
      data: {
        'clusters.yaml': input.clustersFile,
        ...(input.pricesFile ? { 'prices.yaml': input.pricesFile } : {}),
        ...(input.gcpCredentials ? { [GCP_CREDENTIALS_KEY]: input.gcpCredentials } : {}),
      },
    },
    ...(input.kubeconfig
      ? [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: meta(`${RUNTIME_NAME}-kubeconfig`),
            type: 'Opaque',
            stringData: { kubeconfig: input.kubeconfig },
          },
        ]
      : []),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(`${RUNTIME_NAME}-secrets`),
      type: 'Opaque',
      stringData: { SPARKPLANE_DATABASE_URL: input.databaseUrl, SPARKPLANE_ADMIN_TOKEN: input.adminToken },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      // apart from the runtime's secrets: prometheus-operator copies it into Prometheus' configuration
      metadata: meta(METRICS_SECRET.name),
      type: 'Opaque',
      stringData: { [METRICS_SECRET.key]: input.metricsToken },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: `${RUNTIME_NAME}-sparkjobs`, namespace, labels },
      // jobs as code: the runtime follows the SparkJobs of its namespace and writes their status only
      rules: [
        { apiGroups: [SPARK_JOB_GROUP], resources: [SPARK_JOB_PLURAL], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [SPARK_JOB_GROUP], resources: [`${SPARK_JOB_PLURAL}/status`], verbs: ['get', 'update', 'patch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `${RUNTIME_NAME}-sparkjobs`, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${RUNTIME_NAME}-sparkjobs` },
      subjects: [{ kind: 'ServiceAccount', name: input.serviceAccount, namespace }],
    },
    ...clusterAccessManifests({
      name: RUNTIME_NAME,
      nodesRoleName: `${RUNTIME_NAME}-${namespace}-nodes`,
      sparkNamespace: input.spark.namespace,
      operatorNamespace: input.operatorNamespace,
      subjects: [{ kind: 'ServiceAccount', name: input.serviceAccount, namespace }],
      labels,
    }),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(RUNTIME_NAME),
      spec: {
        replicas: args.runtimeReplicas,
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: input.serviceAccount,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 1000,
              runAsGroup: 1000,
              fsGroup: 1000,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: selector },
              },
            ],
            containers: [
              {
                name: 'runtime',
                image: args.runtimeImage,
                args: ['serve', '--host', '0.0.0.0', '--port', String(RUNTIME_PORT), '--data-dir', DATA_DIR],
                ports: [{ name: 'http', containerPort: RUNTIME_PORT, protocol: 'TCP' }],
                env: [
                  { name: 'SPARKPLANE_CLUSTERS_FILE', value: `${CONFIG_DIR}/clusters.yaml` },
                  { name: 'SPARKPLANE_SPARKJOB_NAMESPACE', value: namespace },
                  {
                    name: 'SPARKPLANE_METRICS_TOKEN',
                    valueFrom: { secretKeyRef: { name: METRICS_SECRET.name, key: METRICS_SECRET.key } },
                  },
                  ...(input.pricesFile ? [{ name: 'SPARKPLANE_PRICES_FILE', value: `${CONFIG_DIR}/prices.yaml` }] : []),
                  ...(input.kubeconfig ? [{ name: 'KUBECONFIG', value: `${KUBECONFIG_DIR}/kubeconfig` }] : []),
                  ...(input.gcpCredentials
                    ? [{ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: `${CONFIG_DIR}/${GCP_CREDENTIALS_KEY}` }]
                    : []),
                ],
                envFrom: [{ secretRef: { name: `${RUNTIME_NAME}-secrets` } }],
                resources: {
                  requests: { cpu: args.runtimeResources.cpuRequest, memory: `${args.runtimeResources.memoryMiB}Mi` },
                  limits: { memory: `${args.runtimeResources.memoryMiB}Mi` },
                },
                startupProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2, failureThreshold: 30 },
                livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10, failureThreshold: 3 },
                readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5, failureThreshold: 2 },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'data', mountPath: DATA_DIR },
                  { name: 'tmp', mountPath: '/tmp' },
                  ...(input.kubeconfig ? [{ name: 'kubeconfig', mountPath: KUBECONFIG_DIR, readOnly: true }] : []),
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: `${RUNTIME_NAME}-config` } },
              // state is in PostgreSQL; the data dir only holds scratch files
              { name: 'data', emptyDir: {} },
              { name: 'tmp', emptyDir: {} },
              ...(input.kubeconfig
                ? [{ name: 'kubeconfig', secret: { secretName: `${RUNTIME_NAME}-kubeconfig` } }]
                : []),
            ],
          },
        },
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(RUNTIME_NAME),
      // one pod at a time: with one replica a drain still proceeds, with two the API stays up
      spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      // no prometheus.io/* scrape annotations: they carry no credentials, and /metrics needs a token
      metadata: meta(RUNTIME_NAME),
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [
          { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
          // a named port a ServiceMonitor can select
          { name: 'metrics', port: RUNTIME_PORT, targetPort: 'http', protocol: 'TCP' },
        ],
      },
    },
  ];
  if (args.monitoring.serviceMonitor) manifests.push(serviceMonitor(namespace, args.monitoring));
  if (args.ingress)
    manifests.push(ingressManifest(args.ingress, meta(RUNTIME_NAME), { name: RUNTIME_NAME, portName: 'http' }));
  return manifests;
}

/** prometheus-operator's scrape of the runtime Service's `metrics` port, with the metrics token. */
function serviceMonitor(namespace: string, monitoring: PlatformArgs['monitoring']): Manifest {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: {
      name: RUNTIME_NAME,
      namespace,
      labels: { ...appLabels(RUNTIME_NAME, 'runtime'), ...monitoring.labels },
    },
    spec: {
      selector: { matchLabels: selectorLabels(RUNTIME_NAME) },
      endpoints: [
        {
          port: 'metrics',
          path: METRICS_PATH,
          interval: monitoring.interval,
          // the Secret is in the ServiceMonitor's namespace, as prometheus-operator requires
          authorization: { type: 'Bearer', credentials: { name: METRICS_SECRET.name, key: METRICS_SECRET.key } },
        },
      ],
    },
  };
}

/** Who is given the runtime's rights on a cluster: its service account, or a control plane's group. */
export type RbacSubject =
  | { kind: 'ServiceAccount'; name: string; namespace: string }
  | { kind: 'Group'; apiGroup: 'rbac.authorization.k8s.io'; name: string };

/**
 * What the runtime does on a cluster it runs Spark on, in-cluster or from a control plane: SparkApplications
 * and their pods in the Spark namespace, the driver UIs through the API server's proxy, node counts, and
 * whether spark-operator is up.
 */
export function clusterAccessManifests(input: {
  name: string;
  nodesRoleName: string;
  sparkNamespace: string;
  operatorNamespace: string;
  subjects: RbacSubject[];
  labels: Record<string, string>;
}): Manifest[] {
  const { name, labels, subjects } = input;
  const binding = (kind: 'Role' | 'ClusterRole', roleName: string, namespace?: string): Manifest => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: kind === 'Role' ? 'RoleBinding' : 'ClusterRoleBinding',
    metadata: { name: roleName, ...(namespace ? { namespace } : {}), labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: roleName },
    subjects,
  });
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: input.sparkNamespace, labels },
      rules: [
        {
          apiGroups: ['sparkoperator.k8s.io'],
          resources: ['sparkapplications', 'scheduledsparkapplications'],
          verbs: ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'],
        },
        { apiGroups: ['sparkoperator.k8s.io'], resources: ['sparkapplications/status'], verbs: ['get'] },
        // sessions and notebooks: a SparkConnect each
        {
          apiGroups: ['sparkoperator.k8s.io'],
          resources: ['sparkconnects'],
          verbs: ['create', 'get', 'list', 'watch', 'delete'],
        },
        { apiGroups: [''], resources: ['pods', 'pods/log', 'events', 'services'], verbs: ['get', 'list', 'watch'] },
        // sql sessions: the Service in front of each Spark Thrift Server's driver
        { apiGroups: [''], resources: ['services'], verbs: ['create', 'delete'] },
        // the live Spark UI: GET through the API server's proxy to each driver's UI service (read-only)
        { apiGroups: [''], resources: ['services/proxy'], verbs: ['get'] },
      ],
    },
    binding('Role', name, input.sparkNamespace),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: input.nodesRoleName, labels },
      // the dashboards' cluster page counts the nodes and the Ready ones: read-only, nodes alone
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }],
    },
    binding('ClusterRole', input.nodesRoleName),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: `${name}-operator-probe`, namespace: input.operatorNamespace, labels },
      // a cluster with the CRDs but no running controller or webhook reads DEGRADED, with the reason
      rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] }],
    },
    binding('Role', `${name}-operator-probe`, input.operatorNamespace),
  ];
}
