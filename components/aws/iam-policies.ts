/**
 * IAM policy documents as pure functions of ARNs, so tests read them as plain JSON: every
 * statement names its resources, and nothing grants `*` on a resource that has an ARN.
 */
import { EVENT_LOG_PREFIX } from '../../runtime/domain/event-log-layout';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource?: string | string[];
  Principal?: Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export function doc(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** Trust policy for a role assumed by an AWS service (eks, ec2). */
export function serviceTrustPolicy(service: string): PolicyDocument {
  return doc({ Sid: 'AssumeByService', Effect: 'Allow', Principal: { Service: service }, Action: ['sts:AssumeRole'] });
}

/** Trust policy for EKS Pod Identity: the agent assumes the role and tags the session with the pod's identity. */
export function podIdentityTrustPolicy(accountId: string): PolicyDocument {
  return doc({
    Sid: 'AssumeByEksPodIdentity',
    Effect: 'Allow',
    Principal: { Service: 'pods.eks.amazonaws.com' },
    Action: ['sts:AssumeRole', 'sts:TagSession'],
    Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
  });
}

/** KMS use through S3 only, for SSE-KMS objects of the bucket. */
function kmsViaS3(sid: string, actions: string[], kmsKeyArn: string, region: string): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: actions,
    Resource: kmsKeyArn,
    Condition: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
  };
}

/** Spark drivers and executors: read and write the event-log/shuffle bucket, nothing else. */
export function sparkBucketPolicy(bucketArn: string, kmsKeyArn: string | undefined, region: string): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: 'ListTheBucket',
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
      Resource: bucketArn,
    },
    {
      Sid: 'ReadWriteObjects',
      Effect: 'Allow',
      Action: [
        's3:GetObject',
        's3:PutObject',
        's3:DeleteObject',
        's3:AbortMultipartUpload',
        's3:ListMultipartUploadParts',
      ],
      Resource: `${bucketArn}/*`,
    },
  ];
  if (kmsKeyArn)
    statements.push(kmsViaS3('UseTheBucketKey', ['kms:Decrypt', 'kms:GenerateDataKey'], kmsKeyArn, region));
  return doc(...statements);
}

/** The runtime (metrics, cost, tuning) and the Spark History Server: read event logs only. */
export function eventLogReadPolicy(bucketArn: string, kmsKeyArn: string | undefined, region: string): PolicyDocument {
  const statements: PolicyStatement[] = [
    { Sid: 'ListTheBucket', Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: bucketArn },
    { Sid: 'ReadObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: `${bucketArn}/*` },
  ];
  if (kmsKeyArn) statements.push(kmsViaS3('DecryptWithTheBucketKey', ['kms:Decrypt'], kmsKeyArn, region));
  return doc(...statements);
}

/** Listing and reading under the event-log prefix only: what a control plane reads of a member's bucket. */
function eventLogPrefixReadStatements(bucketArn: string): PolicyStatement[] {
  return [
    {
      Sid: 'ListEventLogs',
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: bucketArn,
      Condition: { StringLike: { 's3:prefix': [`${EVENT_LOG_PREFIX}/*`] } },
    },
    { Sid: 'ReadEventLogs', Effect: 'Allow', Action: ['s3:GetObject'], Resource: `${bucketArn}/${EVENT_LOG_PREFIX}/*` },
  ];
}

/** A control plane's runtime on a member's bucket: list and get the event logs, decrypt them through S3. */
export function eventLogPrefixReadPolicy(
  bucketArn: string,
  kmsKeyArn: string | undefined,
  region: string,
): PolicyDocument {
  const statements = eventLogPrefixReadStatements(bucketArn);
  if (kmsKeyArn) statements.push(kmsViaS3('DecryptEventLogs', ['kms:Decrypt'], kmsKeyArn, region));
  return doc(...statements);
}

/**
 * Bucket-policy statements letting roles of other accounts do what eventLogPrefixReadPolicy grants
 * (across accounts both the role's identity policy and the bucket's policy must allow it).
 */
export function crossAccountEventLogReadStatements(bucketArn: string, readerRoleArns: string[]): PolicyStatement[] {
  return eventLogPrefixReadStatements(bucketArn).map((statement) => ({
    ...statement,
    Sid: `CrossAccount${statement.Sid}`,
    Principal: { AWS: readerRoleArns },
  }));
}

/**
 * The policy of an event-log bucket's key once roles of other accounts read it: the account keeps
 * administering the key through IAM (the default key policy), and the readers may only decrypt,
 * through S3, objects of this bucket (its bucket key's encryption context is the bucket ARN).
 */
export function eventLogKeyPolicy(p: {
  partition: string;
  accountId: string;
  region: string;
  bucketArn: string;
  readerRoleArns: string[];
}): PolicyDocument {
  return doc(
    {
      Sid: 'AccountAdministersTheKey',
      Effect: 'Allow',
      Principal: { AWS: `arn:${p.partition}:iam::${p.accountId}:root` },
      Action: ['kms:*'],
      // in a key policy "*" is the key itself
      Resource: '*',
    },
    {
      Sid: 'CrossAccountDecryptEventLogs',
      Effect: 'Allow',
      Principal: { AWS: p.readerRoleArns },
      Action: ['kms:Decrypt'],
      Resource: '*',
      Condition: {
        StringEquals: {
          'kms:ViaService': `s3.${p.region}.amazonaws.com`,
          'kms:EncryptionContext:aws:s3:arn': p.bucketArn,
        },
      },
    },
  );
}

export interface KarpenterPolicyInput {
  partition: string;
  region: string;
  accountId: string;
  clusterName: string;
  clusterArn: string;
  nodeRoleArn: string;
  interruptionQueueArn: string;
}

/**
 * The Karpenter controller's policy, after the upstream CloudFormation reference: instances it
 * launches and deletes are scoped by the cluster's ownership tag, PassRole to the node role only.
 */
export function karpenterControllerPolicy(p: KarpenterPolicyInput): PolicyDocument {
  const ec2 = (type: string) => `arn:${p.partition}:ec2:${p.region}:*:${type}/*`;
  const ownedByCluster = { [`aws:ResourceTag/kubernetes.io/cluster/${p.clusterName}`]: 'owned' };
  const taggedAtCreation = {
    [`aws:RequestTag/kubernetes.io/cluster/${p.clusterName}`]: 'owned',
    'aws:RequestTag/eks:eks-cluster-name': p.clusterName,
  };
  return doc(
    {
      Sid: 'AllowScopedEC2InstanceAccessActions',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
      Resource: [
        `arn:${p.partition}:ec2:${p.region}::image/*`,
        `arn:${p.partition}:ec2:${p.region}::snapshot/*`,
        ec2('security-group'),
        ec2('subnet'),
        ec2('capacity-reservation'),
      ],
    },
    {
      Sid: 'AllowScopedEC2LaunchTemplateAccessActions',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
      Resource: ec2('launch-template'),
      Condition: { StringEquals: ownedByCluster, StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } },
    },
    {
      Sid: 'AllowScopedEC2InstanceActionsWithTags',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      Resource: [
        ec2('fleet'),
        ec2('instance'),
        ec2('volume'),
        ec2('network-interface'),
        ec2('launch-template'),
        ec2('spot-instances-request'),
      ],
      Condition: { StringEquals: taggedAtCreation, StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' } },
    },
    {
      Sid: 'AllowScopedResourceCreationTagging',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: [
        ec2('fleet'),
        ec2('instance'),
        ec2('volume'),
        ec2('network-interface'),
        ec2('launch-template'),
        ec2('spot-instances-request'),
      ],
      Condition: {
        StringEquals: {
          ...taggedAtCreation,
          'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'],
        },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      Sid: 'AllowScopedDeletion',
      Effect: 'Allow',
      Action: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      Resource: [ec2('instance'), ec2('launch-template')],
      Condition: { StringEquals: ownedByCluster, StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } },
    },
    {
      Sid: 'AllowRegionalReadActions',
      Effect: 'Allow',
      // describe calls cannot be scoped to resources; they are scoped to the region
      Action: [
        'ec2:DescribeCapacityReservations',
        'ec2:DescribeImages',
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceTypeOfferings',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSpotPriceHistory',
        'ec2:DescribeSubnets',
      ],
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': p.region } },
    },
    {
      Sid: 'AllowSSMReadActions',
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: `arn:${p.partition}:ssm:${p.region}::parameter/aws/service/*`,
    },
    { Sid: 'AllowPricingReadActions', Effect: 'Allow', Action: ['pricing:GetProducts'], Resource: '*' },
    {
      Sid: 'AllowInterruptionQueueActions',
      Effect: 'Allow',
      Action: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      Resource: p.interruptionQueueArn,
    },
    {
      Sid: 'AllowPassingInstanceRole',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: p.nodeRoleArn,
      Condition: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com'] } },
    },
    {
      Sid: 'AllowScopedInstanceProfileActions',
      Effect: 'Allow',
      Action: [
        'iam:CreateInstanceProfile',
        'iam:TagInstanceProfile',
        'iam:AddRoleToInstanceProfile',
        'iam:RemoveRoleFromInstanceProfile',
        'iam:DeleteInstanceProfile',
        'iam:GetInstanceProfile',
      ],
      Resource: `arn:${p.partition}:iam::${p.accountId}:instance-profile/*`,
      Condition: {
        StringEquals: {
          [`aws:ResourceTag/kubernetes.io/cluster/${p.clusterName}`]: 'owned',
          'aws:ResourceTag/topology.kubernetes.io/region': p.region,
        },
      },
    },
    {
      Sid: 'AllowUnscopedInstanceProfileCreation',
      Effect: 'Allow',
      Action: ['iam:CreateInstanceProfile', 'iam:TagInstanceProfile', 'iam:GetInstanceProfile'],
      Resource: `arn:${p.partition}:iam::${p.accountId}:instance-profile/*`,
      Condition: {
        StringEquals: {
          [`aws:RequestTag/kubernetes.io/cluster/${p.clusterName}`]: 'owned',
          'aws:RequestTag/topology.kubernetes.io/region': p.region,
        },
        StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    },
    {
      Sid: 'AllowAPIServerEndpointDiscovery',
      Effect: 'Allow',
      Action: ['eks:DescribeCluster'],
      Resource: p.clusterArn,
    },
  );
}

/** The interruption queue accepts messages from EventBridge only, over TLS. */
export function interruptionQueuePolicy(queueArn: string): PolicyDocument {
  return doc(
    {
      Sid: 'EventBridgeWrite',
      Effect: 'Allow',
      Principal: { Service: ['events.amazonaws.com', 'sqs.amazonaws.com'] },
      Action: ['sqs:SendMessage'],
      Resource: queueArn,
    },
    {
      Sid: 'DenyHTTP',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['sqs:*'],
      Resource: queueArn,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  );
}

/** The bucket refuses requests over plain HTTP; `also` are further statements (cross-account readers). */
export function bucketTlsOnlyPolicy(bucketArn: string, ...also: PolicyStatement[]): PolicyDocument {
  return doc(
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:*'],
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    ...also,
  );
}
