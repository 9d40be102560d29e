/**
 * The AWS Load Balancer Controller's policy, after the upstream iam_policy.json (v2.x): reads are
 * unscoped (describe calls take no ARNs); what it creates must carry the cluster's
 * `elbv2.k8s.aws/cluster` tag, and what it changes or deletes must already carry it, so the
 * controller of one cluster cannot touch another's load balancers.
 */
import { doc, type PolicyDocument } from './iam-policies';

const TAG = 'elbv2.k8s.aws/cluster';

export function loadBalancerControllerPolicy(p: { partition: string; clusterName: string }): PolicyDocument {
  const elb = (type: string) => `arn:${p.partition}:elasticloadbalancing:*:*:${type}`;
  const securityGroups = `arn:${p.partition}:ec2:*:*:security-group/*`;
  const ours = { StringEquals: { [`aws:ResourceTag/${TAG}`]: p.clusterName } };
  const taggedOurs = { StringEquals: { [`aws:RequestTag/${TAG}`]: p.clusterName } };
  const balancers = [elb('targetgroup/*/*'), elb('loadbalancer/net/*/*'), elb('loadbalancer/app/*/*')];
  return doc(
    {
      Sid: 'CreateTheServiceLinkedRole',
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: '*',
      Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    },
    {
      Sid: 'AllowReadActions',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeAccountAttributes',
        'ec2:DescribeAddresses',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeVpcs',
        'ec2:DescribeVpcPeeringConnections',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeTags',
        'ec2:DescribeRouteTables',
        'ec2:GetCoipPoolUsage',
        'ec2:DescribeCoipPools',
        'ec2:GetSecurityGroupsForVpc',
        'ec2:DescribeIpamPools',
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeLoadBalancerAttributes',
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeListenerCertificates',
        'elasticloadbalancing:DescribeListenerAttributes',
        'elasticloadbalancing:DescribeSSLPolicies',
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetGroupAttributes',
        'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeTags',
        'elasticloadbalancing:DescribeTrustStores',
        'elasticloadbalancing:DescribeCapacityReservation',
        'acm:ListCertificates',
        'acm:DescribeCertificate',
        'cognito-idp:DescribeUserPoolClient',
        'iam:ListServerCertificates',
        'iam:GetServerCertificate',
        'wafv2:GetWebACL',
        'wafv2:GetWebACLForResource',
        'shield:GetSubscriptionState',
        'shield:DescribeProtection',
      ],
      Resource: '*',
    },
    {
      Sid: 'CreateTaggedSecurityGroups',
      Effect: 'Allow',
      Action: ['ec2:CreateSecurityGroup'],
      Resource: '*',
    },
    {
      Sid: 'TagSecurityGroupsAtCreation',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: securityGroups,
      Condition: {
        StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup', [`aws:RequestTag/${TAG}`]: p.clusterName },
      },
    },
    {
      Sid: 'ManageOwnSecurityGroups',
      Effect: 'Allow',
      Action: [
        'ec2:CreateTags',
        'ec2:DeleteTags',
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:DeleteSecurityGroup',
      ],
      Resource: securityGroups,
      Condition: ours,
    },
    {
      // the cluster's node security group lets the load balancer in (its rules, not a tagged group)
      Sid: 'OpenNodeSecurityGroupsToLoadBalancers',
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
      Resource: securityGroups,
    },
    {
      Sid: 'CreateTaggedLoadBalancers',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      Resource: '*',
      Condition: taggedOurs,
    },
    {
      Sid: 'TagLoadBalancersAtCreation',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags'],
      Resource: balancers,
      Condition: {
        StringEquals: {
          'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'],
          [`aws:RequestTag/${TAG}`]: p.clusterName,
        },
      },
    },
    {
      Sid: 'ManageOwnLoadBalancers',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:AddTags',
        'elasticloadbalancing:RemoveTags',
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:SetIpAddressType',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:ModifyCapacityReservation',
        'elasticloadbalancing:ModifyIpPools',
      ],
      Resource: balancers,
      Condition: ours,
    },
    {
      Sid: 'ManageListenersAndRules',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:SetRulePriorities',
        'elasticloadbalancing:SetWebAcl',
      ],
      // listeners and rules carry no cluster tag of their own (as upstream): they belong to a load balancer
      Resource: [
        elb('loadbalancer/app/*/*'),
        elb('loadbalancer/net/*/*'),
        elb('listener/app/*/*/*'),
        elb('listener/net/*/*/*'),
        elb('listener-rule/app/*/*/*'),
        elb('listener-rule/net/*/*/*'),
      ],
    },
    {
      Sid: 'RegisterTargets',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      Resource: elb('targetgroup/*/*'),
    },
  );
}
