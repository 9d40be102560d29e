/**
 * The AWS Load Balancer Controller, which serves Ingresses of class `alb`: its role through EKS
 * Pod Identity and its pinned Helm release on the system nodes.
 */
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { chartSource, type MirrorArgs, mirroredImage } from '../cluster/mirrors';
import { type AwsContext, childOptions } from './context';
import { createRole, SYSTEM_NODE_LABEL } from './eks';
import { podIdentityTrustPolicy } from './iam-policies';
import { loadBalancerControllerPolicy } from './load-balancer-controller-policy';
import {
  LOAD_BALANCER_CONTROLLER_CHART_REPOSITORY,
  LOAD_BALANCER_CONTROLLER_CHART_VERSION,
  LOAD_BALANCER_CONTROLLER_IMAGE,
} from './versions';

export const LOAD_BALANCER_CONTROLLER_NAMESPACE = 'kube-system';
export const LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = 'aws-load-balancer-controller';
/** The IngressClass the chart creates. */
export const ALB_INGRESS_CLASS = 'alb';

/** Values of the chart (tested directly). */
export function loadBalancerControllerValues(input: {
  clusterName: string;
  region: string;
  vpcId: string;
  mirrors?: MirrorArgs;
}): Record<string, unknown> {
  return {
    ...(input.mirrors?.images
      ? { image: { repository: mirroredImage(LOAD_BALANCER_CONTROLLER_IMAGE, input.mirrors) } }
      : {}),
    clusterName: input.clusterName,
    // given, not read from the instance metadata, which IMDSv2's hop limit keeps from pods
    region: input.region,
    vpcId: input.vpcId,
    serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT },
    replicaCount: 2,
    nodeSelector: { ...SYSTEM_NODE_LABEL },
    ingressClass: ALB_INGRESS_CLASS,
    createIngressClassResource: true,
    // Ingresses only: Services of type LoadBalancer keep whatever the cluster uses for them
    enableServiceMutatorWebhook: false,
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  };
}

export function createLoadBalancerController(
  ctx: AwsContext,
  input: {
    clusterName: string;
    cluster: aws.eks.Cluster;
    region: string;
    vpcId: pulumi.Input<string>;
    accountId: pulumi.Output<string>;
    partition: pulumi.Output<string>;
    k8sProvider: k8s.Provider;
    dependsOn: pulumi.Resource[];
    mirrors: MirrorArgs;
  },
): k8s.helm.v3.Release {
  const name = `${ctx.name}-lb-controller`;
  const role = createRole(ctx, name, input.accountId.apply(podIdentityTrustPolicy));
  new aws.iam.RolePolicy(
    name,
    {
      role: role.name,
      policy: input.partition.apply((partition) =>
        JSON.stringify(loadBalancerControllerPolicy({ partition, clusterName: input.clusterName })),
      ),
    },
    childOptions(ctx),
  );
  const association = new aws.eks.PodIdentityAssociation(
    name,
    {
      clusterName: input.cluster.name,
      namespace: LOAD_BALANCER_CONTROLLER_NAMESPACE,
      serviceAccount: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
      roleArn: role.arn,
      tags: ctx.tags,
    },
    childOptions(ctx),
  );
  return new k8s.helm.v3.Release(
    name,
    {
      name: 'aws-load-balancer-controller',
      ...chartSource(
        {
          repository: LOAD_BALANCER_CONTROLLER_CHART_REPOSITORY,
          name: 'aws-load-balancer-controller',
          version: LOAD_BALANCER_CONTROLLER_CHART_VERSION,
        },
        input.mirrors,
      ),
      version: LOAD_BALANCER_CONTROLLER_CHART_VERSION,
      namespace: LOAD_BALANCER_CONTROLLER_NAMESPACE,
      atomic: true,
      values: pulumi.output(input.vpcId).apply((vpcId) =>
        loadBalancerControllerValues({
          clusterName: input.clusterName,
          region: input.region,
          vpcId,
          mirrors: input.mirrors,
        }),
      ),
    },
    { parent: ctx.parent, provider: input.k8sProvider, dependsOn: [association, ...input.dependsOn] },
  );
}
