/**
 * The EKS control plane and what it needs: a KMS key for secrets, the cluster role, control-plane
 * logs, API-mode access entries for admins and for Karpenter's nodes, a small managed node group
 * for add-ons, and the Pod Identity agent and EBS CSI add-ons.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { AwsClusterArgs } from './args';
import { type AwsContext, childOptions } from './context';
import { podIdentityTrustPolicy, serviceTrustPolicy } from './iam-policies';
import { eksKubeconfig } from './kubeconfig';

export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];
/** Label of the system node group; add-ons select it, Spark pods never land there (no taint toleration needed). */
export const SYSTEM_NODE_LABEL = { 'sparkplane.io/system': 'true' } as const;

export interface EksParts {
  cluster: aws.eks.Cluster;
  clusterName: string;
  securityGroupId: pulumi.Output<string>;
  sparkNodeRole: aws.iam.Role;
  kubeconfig: pulumi.Output<string>;
  podIdentityAgent: aws.eks.Addon;
  systemNodes: aws.eks.NodeGroup;
}

const policyArn = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/** A role with its trust policy (a document or an Output of one) and AWS-managed policies. */
export function createRole(
  ctx: AwsContext,
  name: string,
  trust: pulumi.Input<object>,
  managedPolicies: string[] = [],
): aws.iam.Role {
  const assumeRolePolicy = pulumi.output(trust).apply((doc) => JSON.stringify(doc));
  const created = new aws.iam.Role(name, { assumeRolePolicy, tags: ctx.tags }, childOptions(ctx));
  managedPolicies.forEach((policy) => {
    new aws.iam.RolePolicyAttachment(
      `${name}-${policy.replace(/^.*\//, '')}`,
      { role: created.name, policyArn: policyArn(policy) },
      childOptions(ctx),
    );
  });
  return created;
}

export function createEks(
  ctx: AwsContext,
  args: AwsClusterArgs,
  clusterName: string,
  subnetIds: pulumi.Input<string>[],
  accountId: pulumi.Input<string>,
): EksParts {
  const opts = childOptions(ctx);
  const secretsKey = new aws.kms.Key(
    `${ctx.name}-secrets`,
    {
      description: `Kubernetes secrets of ${clusterName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags: ctx.tags,
    },
    opts,
  );
  const clusterRole = createRole(ctx, `${ctx.name}-cluster`, serviceTrustPolicy('eks.amazonaws.com'), [
    'AmazonEKSClusterPolicy',
  ]);
  const cluster = new aws.eks.Cluster(
    `${ctx.name}-cluster`,
    {
      name: clusterName,
      version: args.kubernetesVersion,
      roleArn: clusterRole.arn,
      vpcConfig: {
        subnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: args.publicEndpoint,
        ...(args.publicEndpoint ? { publicAccessCidrs: args.publicAccessCidrs } : {}),
      },
      encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ['secrets'] },
      enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
      // the deploying principal needs cluster-admin to install the charts; admins get access entries below
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
      // standard support only: extended support bills the control plane six times over, silently
      upgradePolicy: { supportType: 'STANDARD' },
      tags: ctx.tags,
    },
    childOptions(ctx, { dependsOn: [clusterRole] }),
  );

  args.adminPrincipalArns.forEach((principalArn, i) => {
    const entry = new aws.eks.AccessEntry(
      `${ctx.name}-admin-${i}`,
      { clusterName: cluster.name, principalArn, type: 'STANDARD', tags: ctx.tags },
      opts,
    );
    new aws.eks.AccessPolicyAssociation(
      `${ctx.name}-admin-${i}`,
      {
        clusterName: cluster.name,
        principalArn,
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        accessScope: { type: 'cluster' },
      },
      childOptions(ctx, { dependsOn: [entry] }),
    );
  });

  const nodePolicies = [
    'AmazonEKSWorkerNodePolicy',
    'AmazonEKS_CNI_Policy',
    'AmazonEC2ContainerRegistryReadOnly',
    'AmazonSSMManagedInstanceCore',
  ];
  const systemNodeRole = createRole(
    ctx,
    `${ctx.name}-system-node`,
    serviceTrustPolicy('ec2.amazonaws.com'),
    nodePolicies,
  );
  const systemNodes = new aws.eks.NodeGroup(
    `${ctx.name}-system`,
    {
      clusterName: cluster.name,
      nodeRoleArn: systemNodeRole.arn,
      subnetIds,
      amiType: 'AL2023_x86_64_STANDARD',
      capacityType: 'ON_DEMAND',
      instanceTypes: args.systemNodes.instanceTypes,
      scalingConfig: {
        minSize: args.systemNodes.minSize,
        maxSize: args.systemNodes.maxSize,
        desiredSize: args.systemNodes.minSize,
      },
      updateConfig: { maxUnavailable: 1 },
      labels: { ...SYSTEM_NODE_LABEL },
      tags: ctx.tags,
    },
    // the autoscaler owns the size after creation
    childOptions(ctx, { ignoreChanges: ['scalingConfig.desiredSize'] }),
  );

  // Karpenter's nodes join through an EC2_LINUX access entry for their own role
  const sparkNodeRole = createRole(
    ctx,
    `${ctx.name}-spark-node`,
    serviceTrustPolicy('ec2.amazonaws.com'),
    nodePolicies,
  );
  new aws.eks.AccessEntry(
    `${ctx.name}-spark-node`,
    { clusterName: cluster.name, principalArn: sparkNodeRole.arn, type: 'EC2_LINUX', tags: ctx.tags },
    opts,
  );

  const podIdentityAgent = new aws.eks.Addon(
    `${ctx.name}-pod-identity-agent`,
    {
      clusterName: cluster.name,
      addonName: 'eks-pod-identity-agent',
      resolveConflictsOnUpdate: 'OVERWRITE',
      tags: ctx.tags,
    },
    childOptions(ctx, { dependsOn: [systemNodes] }),
  );
  const ebsCsiRole = createRole(ctx, `${ctx.name}-ebs-csi`, pulumi.output(accountId).apply(podIdentityTrustPolicy), [
    'service-role/AmazonEBSCSIDriverPolicy',
  ]);
  new aws.eks.Addon(
    `${ctx.name}-ebs-csi`,
    {
      clusterName: cluster.name,
      addonName: 'aws-ebs-csi-driver',
      resolveConflictsOnUpdate: 'OVERWRITE',
      podIdentityAssociations: [{ roleArn: ebsCsiRole.arn, serviceAccount: 'ebs-csi-controller-sa' }],
      tags: ctx.tags,
    },
    childOptions(ctx, { dependsOn: [podIdentityAgent] }),
  );

  const kubeconfig = pulumi.secret(
    pulumi
      .all([cluster.name, cluster.endpoint, cluster.certificateAuthority])
      .apply(([name, endpoint, ca]) =>
        eksKubeconfig({ clusterName: name, endpoint, certificateAuthority: ca.data ?? '', region: args.region }),
      ),
  );
  return {
    cluster,
    clusterName,
    securityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
    sparkNodeRole,
    kubeconfig,
    podIdentityAgent,
    systemNodes,
  };
}
