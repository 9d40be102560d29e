/**
 * Karpenter: its controller role (EKS Pod Identity), the interruption queue fed by EventBridge,
 * the CRD and controller Helm releases, and the EC2NodeClass and NodePools for Spark.
 */
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { chartSource, type MirrorArgs, mirroredImage } from '../cluster/mirrors';
import type { KarpenterArgs } from './args';
import { type AwsContext, childOptions } from './context';
import { createRole, SYSTEM_NODE_LABEL } from './eks';
import { interruptionQueuePolicy, karpenterControllerPolicy, podIdentityTrustPolicy } from './iam-policies';
import { ec2NodeClassSpec, NODE_CLASS_NAME, nodePoolSpec, type SparkPoolDefinition } from './karpenter-objects';
import { KARPENTER_CHART_REPOSITORY, KARPENTER_CHART_VERSION, KARPENTER_CONTROLLER_IMAGE } from './versions';

export const KARPENTER_NAMESPACE = 'kube-system';
export const KARPENTER_SERVICE_ACCOUNT = 'karpenter';

/** EventBridge events Karpenter acts on before the instance goes away. */
export const INTERRUPTION_EVENTS: Record<string, { source: string[]; 'detail-type': string[] }> = {
  'spot-interruption': { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
  rebalance: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
  'instance-state-change': { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
  'scheduled-change': { source: ['aws.health'], 'detail-type': ['AWS Health Event'] },
};

export interface KarpenterInput {
  args: KarpenterArgs;
  clusterName: string;
  cluster: aws.eks.Cluster;
  nodeRole: aws.iam.Role;
  securityGroupId: pulumi.Output<string>;
  existingSubnetIds?: string[];
  accountId: pulumi.Output<string>;
  partition: pulumi.Output<string>;
  region: string;
  k8sProvider: k8s.Provider;
  pools: SparkPoolDefinition[];
  mirrors: MirrorArgs;
  /** Karpenter's controller needs the Pod Identity agent and a node to run on. */
  dependsOn: pulumi.Resource[];
}

/** Values of the Karpenter chart (tested directly). */
export function karpenterChartValues(
  clusterName: string,
  queueName: string,
  mirrors: MirrorArgs = {},
): Record<string, unknown> {
  return {
    settings: { clusterName, interruptionQueue: queueName },
    serviceAccount: { name: KARPENTER_SERVICE_ACCOUNT },
    replicas: 2,
    // on the system node group: Karpenter must not run on nodes it manages
    nodeSelector: { ...SYSTEM_NODE_LABEL },
    dnsPolicy: 'Default',
    controller: {
      resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      // the chart pins the digest, which a mirror serves unchanged
      ...(mirrors.images ? { image: { repository: mirroredImage(KARPENTER_CONTROLLER_IMAGE, mirrors) } } : {}),
    },
    podDisruptionBudget: { name: 'karpenter', maxUnavailable: 1 },
  };
}

export interface KarpenterParts {
  nodeClass: k8s.apiextensions.CustomResource;
  nodePools: k8s.apiextensions.CustomResource[];
}

export function createKarpenter(ctx: AwsContext, input: KarpenterInput): KarpenterParts {
  const opts = childOptions(ctx);
  const name = `${ctx.name}-karpenter`;
  // Karpenter's convention: the queue is named after the cluster
  const queue = new aws.sqs.Queue(
    name,
    { name: input.clusterName, messageRetentionSeconds: 300, sqsManagedSseEnabled: true, tags: ctx.tags },
    opts,
  );
  new aws.sqs.QueuePolicy(
    name,
    { queueUrl: queue.url, policy: queue.arn.apply((arn) => JSON.stringify(interruptionQueuePolicy(arn))) },
    opts,
  );
  for (const [event, pattern] of Object.entries(INTERRUPTION_EVENTS)) {
    const rule = new aws.cloudwatch.EventRule(
      `${name}-${event}`,
      { eventPattern: JSON.stringify(pattern), tags: ctx.tags },
      opts,
    );
    new aws.cloudwatch.EventTarget(`${name}-${event}`, { rule: rule.name, arn: queue.arn }, opts);
  }

  const controllerRole = createRole(ctx, `${name}-controller`, input.accountId.apply(podIdentityTrustPolicy));
  new aws.iam.RolePolicy(
    `${name}-controller`,
    {
      role: controllerRole.name,
      policy: pulumi
        .all([input.partition, input.accountId, input.cluster.arn, input.nodeRole.arn, queue.arn])
        .apply(([partition, accountId, clusterArn, nodeRoleArn, interruptionQueueArn]) =>
          JSON.stringify(
            karpenterControllerPolicy({
              partition,
              region: input.region,
              accountId,
              clusterName: input.clusterName,
              clusterArn,
              nodeRoleArn,
              interruptionQueueArn,
            }),
          ),
        ),
    },
    opts,
  );
  const association = new aws.eks.PodIdentityAssociation(
    `${name}-controller`,
    {
      clusterName: input.cluster.name,
      namespace: KARPENTER_NAMESPACE,
      serviceAccount: KARPENTER_SERVICE_ACCOUNT,
      roleArn: controllerRole.arn,
      tags: ctx.tags,
    },
    opts,
  );

  const helmOpts = (dependsOn: pulumi.Input<pulumi.Resource>[]) => ({
    parent: ctx.parent,
    provider: input.k8sProvider,
    dependsOn,
  });
  const crds = new k8s.helm.v3.Release(
    `${name}-crd`,
    {
      name: 'karpenter-crd',
      ...chartSource(
        { repository: KARPENTER_CHART_REPOSITORY, name: 'karpenter-crd', version: KARPENTER_CHART_VERSION },
        input.mirrors,
      ),
      version: KARPENTER_CHART_VERSION,
      namespace: KARPENTER_NAMESPACE,
      atomic: true,
    },
    helmOpts(input.dependsOn),
  );
  const controller = new k8s.helm.v3.Release(
    name,
    {
      name: 'karpenter',
      ...chartSource(
        { repository: KARPENTER_CHART_REPOSITORY, name: 'karpenter', version: KARPENTER_CHART_VERSION },
        input.mirrors,
      ),
      version: KARPENTER_CHART_VERSION,
      namespace: KARPENTER_NAMESPACE,
      // CRDs come from the karpenter-crd release, which Helm upgrades (it never upgrades crds/)
      skipCrds: true,
      atomic: true,
      values: queue.name.apply((queueName) => karpenterChartValues(input.clusterName, queueName, input.mirrors)),
    },
    helmOpts([crds, association, ...input.dependsOn]),
  );

  const crOpts = { parent: ctx.parent, provider: input.k8sProvider, dependsOn: [crds, controller] };
  const nodeClass = new k8s.apiextensions.CustomResource(
    `${name}-nodeclass`,
    {
      apiVersion: 'karpenter.k8s.aws/v1',
      kind: 'EC2NodeClass',
      metadata: { name: NODE_CLASS_NAME },
      spec: pulumi.all([input.nodeRole.name, input.securityGroupId]).apply(([nodeRoleName, securityGroupId]) =>
        ec2NodeClassSpec({
          args: input.args,
          clusterName: input.clusterName,
          nodeRoleName,
          securityGroupId,
          ...(input.existingSubnetIds ? { subnetIds: input.existingSubnetIds } : {}),
          tags: ctx.tags,
        }),
      ),
    },
    crOpts,
  );
  const nodePools = input.pools.map(
    (pool) =>
      new k8s.apiextensions.CustomResource(
        `${name}-${pool.name}`,
        {
          apiVersion: 'karpenter.sh/v1',
          kind: 'NodePool',
          metadata: { name: pool.name },
          spec: nodePoolSpec(pool, input.args),
        },
        { ...crOpts, dependsOn: [...crOpts.dependsOn, nodeClass] },
      ),
  );
  return { nodeClass, nodePools };
}
