/**
 * A GKE Standard cluster for Spark: private nodes, shielded nodes, Workload Identity, a release
 * channel or a pinned version, a system node pool, Spark capacity through custom ComputeClasses,
 * the OPTIMIZE_UTILIZATION autoscaling profile, an encrypted event-log bucket with uniform access,
 * and direct Workload Identity Federation grants on it. Thin class; the work is in createGkeCluster
 * and the pure functions beside it.
 */
import * as gcp from '@pulumi/gcp';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { DomainError } from '../../runtime/domain/errors';
import { parseOrThrow } from '../../runtime/domain/validation';
import type { ClusterHandle } from '../cluster/handle';
import { sparkIdentityNames } from '../cluster/spark-identity';
import { GkeClusterArgs, type GkeClusterArgsInput, gkeCrossFieldErrors, regionOf } from './args';
import { computeClassDefinitions, computeClassManifest, computeClassOffers } from './compute-classes';
import { gkeKubeconfig } from './kubeconfig';
import { boundedName, gcpLabels } from './names';
import { eventLogBucketGrants, workloadPrincipal } from './workload-identity';

export interface GkeClusterComponentArgs extends GkeClusterArgsInput {
  /** Labels of every GCP resource (tags, made valid GCP labels). @default {} */
  tags?: Record<string, string>;
  /**
   * The GCP provider of every child: e.g. one per project of a fleet, impersonating a service account.
   * @default a provider the component creates for `project` and the region of `location`
   */
  provider?: gcp.Provider;
}

/** Validates the arguments: every problem, each naming the field (under `prefix`), the value and the expectation. */
export function validateGkeClusterArgs(input: unknown, prefix: readonly PropertyKey[] = []): GkeClusterArgs {
  const args = parseOrThrow(GkeClusterArgs, input, prefix);
  const errors = gkeCrossFieldErrors(args).map((e) => (prefix.length ? `${prefix.join('.')}.${e}` : e));
  if (errors.length > 0)
    throw new DomainError(
      'VALIDATION_FAILED',
      errors.join('; '),
      errors.map((message) => ({ path: prefix.join('.'), message })),
    );
  return args;
}

/** Roles of the nodes' own service account: logs, metrics, image pulls; nothing else. */
export const NODE_SERVICE_ACCOUNT_ROLES = [
  'roles/logging.logWriter',
  'roles/monitoring.metricWriter',
  'roles/monitoring.viewer',
  'roles/stackdriver.resourceMetadata.writer',
  'roles/artifactregistry.reader',
] as const;

const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

interface Context {
  name: string;
  opts: pulumi.CustomResourceOptions;
  labels: Record<string, string>;
  args: GkeClusterArgs;
  clusterName: string;
}

function createNetwork(ctx: Context) {
  const { args, opts, name, clusterName } = ctx;
  if ('network' in args.network) {
    return {
      network: args.network.network,
      subnetwork: args.network.subnetwork,
      podsRange: args.network.podsRangeName,
      servicesRange: args.network.servicesRangeName,
    };
  }
  const region = regionOf(args.location);
  const network = new gcp.compute.Network(
    `${name}-network`,
    { name: clusterName, project: args.project, autoCreateSubnetworks: false },
    opts,
  );
  const subnetwork = new gcp.compute.Subnetwork(
    `${name}-nodes`,
    {
      name: `${clusterName}-nodes`,
      project: args.project,
      region,
      network: network.id,
      ipCidrRange: args.network.nodesCidr,
      privateIpGoogleAccess: true,
      secondaryIpRanges: [
        { rangeName: 'pods', ipCidrRange: args.network.podsCidr },
        { rangeName: 'services', ipCidrRange: args.network.servicesCidr },
      ],
    },
    opts,
  );
  // private nodes reach registries and Google APIs outside the VPC through Cloud NAT
  const router = new gcp.compute.Router(
    `${name}-router`,
    { name: `${clusterName}-router`, project: args.project, region, network: network.id },
    opts,
  );
  new gcp.compute.RouterNat(
    `${name}-nat`,
    {
      name: `${clusterName}-nat`,
      project: args.project,
      region,
      router: router.name,
      natIpAllocateOption: 'AUTO_ONLY',
      sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES',
      logConfig: { enable: true, filter: 'ERRORS_ONLY' },
    },
    opts,
  );
  return { network: network.id, subnetwork: subnetwork.id, podsRange: 'pods', servicesRange: 'services' };
}

function createKeys(ctx: Context, projectNumber: pulumi.Output<string>) {
  const { args, opts, name, clusterName } = ctx;
  if (args.eventLogs.encryption !== 'cmek') return undefined;
  const ring = new gcp.kms.KeyRing(
    `${name}-keys`,
    { name: clusterName, project: args.project, location: regionOf(args.location) },
    opts,
  );
  const key = (suffix: string, serviceAgent: pulumi.Output<string>) => {
    const cryptoKey = new gcp.kms.CryptoKey(
      `${name}-${suffix}`,
      { name: suffix, keyRing: ring.id, rotationPeriod: '7776000s', labels: ctx.labels },
      { ...opts, protect: false },
    );
    const grant = new gcp.kms.CryptoKeyIAMMember(
      `${name}-${suffix}-agent`,
      {
        cryptoKeyId: cryptoKey.id,
        role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
        member: pulumi.interpolate`serviceAccount:${serviceAgent}`,
      },
      opts,
    );
    return { cryptoKey, grant };
  };
  const storageAgent = gcp.storage.getProjectServiceAccountOutput({ project: args.project }, opts).emailAddress;
  const gkeAgent = projectNumber.apply((n) => `service-${n}@container-engine-robot.iam.gserviceaccount.com`);
  return { events: key('event-logs', storageAgent), secrets: key('secrets', gkeAgent) };
}

export interface GkeClusterOutputs {
  handle: ClusterHandle;
  clusterName: string;
  endpoint: pulumi.Output<string>;
  bucketName: pulumi.Output<string>;
  projectNumber: pulumi.Output<string>;
}

export function createGkeCluster(
  parent: pulumi.ComponentResource,
  name: string,
  input: GkeClusterComponentArgs,
): GkeClusterOutputs {
  const { tags = {}, provider: givenProvider, ...rest } = input;
  const args = validateGkeClusterArgs(rest);
  const clusterName = args.clusterName ?? name;
  const labels = gcpLabels(tags);
  const identity = sparkIdentityNames(args.identity);
  const provider =
    givenProvider ??
    new gcp.Provider(
      `${name}-gcp`,
      { project: args.project, region: regionOf(args.location), defaultLabels: labels },
      { parent },
    );
  const opts: pulumi.CustomResourceOptions = { parent, provider };
  const ctx: Context = { name, opts, labels, args, clusterName };
  const projectNumber = gcp.organizations.getProjectOutput({ projectId: args.project }, opts).number;

  const network = createNetwork(ctx);
  const keys = createKeys(ctx, projectNumber);
  const nodeAccount = new gcp.serviceaccount.Account(
    `${name}-nodes`,
    {
      accountId: boundedName(clusterName, 'nodes', 30),
      project: args.project,
      displayName: `GKE nodes of ${clusterName}`,
    },
    opts,
  );
  for (const role of NODE_SERVICE_ACCOUNT_ROLES) {
    new gcp.projects.IAMMember(
      `${name}-nodes-${role.split('/')[1]}`,
      { project: args.project, role, member: pulumi.interpolate`serviceAccount:${nodeAccount.email}` },
      opts,
    );
  }
  const shielded = { enableSecureBoot: true, enableIntegrityMonitoring: true };
  const cluster = new gcp.container.Cluster(
    name,
    {
      name: clusterName,
      project: args.project,
      location: args.location,
      // the default pool cannot be configured; the system pool below replaces it
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      network: network.network,
      subnetwork: network.subnetwork,
      networkingMode: 'VPC_NATIVE',
      ipAllocationPolicy: {
        clusterSecondaryRangeName: network.podsRange,
        servicesSecondaryRangeName: network.servicesRange,
      },
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: !args.publicEndpoint,
        masterIpv4CidrBlock: args.masterCidr,
      },
      masterAuthorizedNetworksConfig: {
        cidrBlocks: args.authorizedNetworks.map((cidrBlock) => ({ cidrBlock, displayName: cidrBlock })),
      },
      releaseChannel: { channel: args.releaseChannel },
      ...(args.kubernetesVersion ? { minMasterVersion: args.kubernetesVersion } : {}),
      workloadIdentityConfig: { workloadPool: `${args.project}.svc.id.goog` },
      enableShieldedNodes: true,
      datapathProvider: 'ADVANCED_DATAPATH',
      ...(keys ? { databaseEncryption: { state: 'ENCRYPTED', keyName: keys.secrets.cryptoKey.id } } : {}),
      clusterAutoscaling: {
        enabled: true,
        autoscalingProfile: 'OPTIMIZE_UTILIZATION',
        resourceLimits: [
          { resourceType: 'cpu', minimum: 0, maximum: args.spark.limits.cpu },
          { resourceType: 'memory', minimum: 0, maximum: args.spark.limits.memoryGiB },
        ],
        autoProvisioningDefaults: {
          serviceAccount: nodeAccount.email,
          oauthScopes: [CLOUD_PLATFORM_SCOPE],
          diskSize: args.spark.diskSizeGiB,
          shieldedInstanceConfig: shielded,
          management: { autoRepair: true, autoUpgrade: true },
        },
      },
      resourceLabels: labels,
      deletionProtection: args.deletionProtection,
    },
    { ...opts, dependsOn: keys ? [keys.secrets.grant] : [] },
  );
  const systemNodes = new gcp.container.NodePool(
    `${name}-system`,
    {
      name: 'system',
      project: args.project,
      location: args.location,
      cluster: cluster.name,
      autoscaling: { minNodeCount: args.systemNodes.minNodes, maxNodeCount: args.systemNodes.maxNodes },
      management: { autoRepair: true, autoUpgrade: true },
      nodeConfig: {
        machineType: args.systemNodes.machineType,
        diskType: 'pd-balanced',
        diskSizeGb: 100,
        serviceAccount: nodeAccount.email,
        oauthScopes: [CLOUD_PLATFORM_SCOPE],
        workloadMetadataConfig: { mode: 'GKE_METADATA' },
        shieldedInstanceConfig: shielded,
        labels: { 'sparkplane.io/pool': 'system' },
        resourceLabels: labels,
      },
    },
    opts,
  );

  const bucket = new gcp.storage.Bucket(
    `${name}-events`,
    {
      name: boundedName(`${args.project}-${clusterName}`, 'events', 63),
      project: args.project,
      location: (args.eventLogs.location ?? regionOf(args.location)).toUpperCase(),
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      forceDestroy: args.eventLogs.forceDestroy,
      ...(keys ? { encryption: { defaultKmsKeyName: keys.events.cryptoKey.id } } : {}),
      lifecycleRules: [{ condition: { age: args.eventLogs.retentionDays }, action: { type: 'Delete' } }],
      labels,
    },
    { ...opts, dependsOn: keys ? [keys.events.grant] : [] },
  );
  for (const grant of eventLogBucketGrants(identity)) {
    new gcp.storage.BucketIAMMember(
      `${name}-events-${grant.suffix}`,
      {
        bucket: bucket.name,
        role: grant.role,
        member: projectNumber.apply((n) => workloadPrincipal(n, args.project, grant.namespace, grant.serviceAccount)),
      },
      opts,
    );
  }

  const kubeconfig = pulumi.secret(
    pulumi
      .all([cluster.endpoint, cluster.masterAuth.clusterCaCertificate])
      .apply(([endpoint, ca]) => gkeKubeconfig({ clusterName, endpoint, certificateAuthority: ca ?? '' })),
  );
  const k8sProvider = new k8s.Provider(
    `${name}-k8s`,
    { kubeconfig, enableServerSideApply: true },
    { parent, dependsOn: [systemNodes] },
  );
  const definitions = computeClassDefinitions();
  const classes = definitions.map(
    (definition) =>
      new k8s.apiextensions.CustomResource(
        `${name}-computeclass-${definition.name}`,
        computeClassManifest(definition, args.spark, nodeAccount.email),
        { parent, provider: k8sProvider },
      ),
  );

  const handle: ClusterHandle = {
    clusterName,
    kubeconfig,
    provider: k8sProvider,
    objectStorageUrl: pulumi.interpolate`gs://${bucket.name}`,
    // direct Workload Identity Federation grants the service accounts themselves: no annotation
    spark: { ...identity, serviceAccountAnnotations: {} },
    runtimeIdentity: {
      cloud: 'gcp',
      principal: projectNumber.apply((n) =>
        workloadPrincipal(n, args.project, identity.systemNamespace, identity.runtimeServiceAccount),
      ),
    },
    autoscaler: 'gke',
    nodePools: computeClassOffers(definitions),
    dependsOn: [systemNodes, ...classes],
  };
  return { handle, clusterName, endpoint: cluster.endpoint, bucketName: bucket.name, projectNumber };
}

/** A GKE cluster for Spark; `handle` is what the platform component takes. */
export class GkeCluster extends pulumi.ComponentResource {
  readonly handle: ClusterHandle;
  readonly clusterName: string;
  readonly endpoint: pulumi.Output<string>;
  readonly bucketName: pulumi.Output<string>;
  readonly projectNumber: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: GkeClusterComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('sparkplane:gcp:Cluster', name, {}, opts);
    const outputs = createGkeCluster(this, name, args);
    this.handle = outputs.handle;
    this.clusterName = outputs.clusterName;
    this.endpoint = outputs.endpoint;
    this.bucketName = outputs.bucketName;
    this.projectNumber = outputs.projectNumber;
    this.kubeconfig = outputs.handle.kubeconfig;
    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      bucketName: this.bucketName,
      kubeconfig: this.kubeconfig,
    });
  }
}
