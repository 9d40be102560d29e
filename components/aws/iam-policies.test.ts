import { describe, expect, it } from 'vitest';
import {
  crossAccountEventLogReadStatements,
  eventLogKeyPolicy,
  eventLogPrefixReadPolicy,
  eventLogReadPolicy,
  karpenterControllerPolicy,
  type PolicyDocument,
  sparkBucketPolicy,
} from './iam-policies';
import { loadBalancerControllerPolicy } from './load-balancer-controller-policy';

const BUCKET = 'arn:aws:s3:::events';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/k';

/** Statements that allow an action on every resource. */
function wildcards(doc: PolicyDocument): string[] {
  return doc.Statement.filter((s) => s.Effect === 'Allow' && [s.Resource].flat().includes('*')).map((s) => s.Sid);
}

describe('IAM policies', () => {
  it('Spark reads and writes the bucket and nothing else', () => {
    const doc = sparkBucketPolicy(BUCKET, KEY, 'eu-west-1');
    expect(wildcards(doc)).toEqual([]);
    expect(doc.Statement.flatMap((s) => [s.Resource].flat()).sort()).toEqual([BUCKET, `${BUCKET}/*`, KEY].sort());
    expect(doc.Statement.flatMap((s) => s.Action)).not.toContain('s3:*');
    expect(doc.Statement.find((s) => s.Resource === KEY)!.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
    });
    expect(
      sparkBucketPolicy(BUCKET, undefined, 'eu-west-1').Statement.some((s) =>
        s.Action.some((a) => a.startsWith('kms:')),
      ),
    ).toBe(false);
  });

  it('the History Server only reads', () => {
    const actions = eventLogReadPolicy(BUCKET, KEY, 'eu-west-1').Statement.flatMap((s) => s.Action);
    expect(actions.filter((a) => /Put|Delete|Encrypt|GenerateDataKey/.test(a))).toEqual([]);
  });

  it('a reader in another account is granted by the bucket exactly what its own policy grants: the event logs', () => {
    const role = 'arn:aws:iam::222222222222:role/control-plane';
    const identity = eventLogPrefixReadPolicy(BUCKET, KEY, 'eu-west-1').Statement;
    expect(identity.flatMap((s) => [s.Resource].flat())).toEqual([BUCKET, `${BUCKET}/eventlogs/*`, KEY]);
    expect(identity[0]!.Condition).toEqual({ StringLike: { 's3:prefix': ['eventlogs/*'] } });
    const granted = crossAccountEventLogReadStatements(BUCKET, [role]);
    const strip = ({ Sid: _sid, Principal: _principal, ...rest }: (typeof granted)[number]) => rest;
    expect(granted.map(strip)).toEqual(identity.filter((s) => s.Resource !== KEY).map(strip));
    expect(granted.every((s) => s.Principal!.AWS![0] === role)).toBe(true);
    const key = eventLogKeyPolicy({
      partition: 'aws',
      accountId: '123456789012',
      region: 'eu-west-1',
      bucketArn: BUCKET,
      readerRoleArns: [role],
    }).Statement;
    expect(key.map((s) => [s.Principal!.AWS, s.Action])).toEqual([
      ['arn:aws:iam::123456789012:root', ['kms:*']],
      [[role], ['kms:Decrypt']],
    ]);
    expect(key[1]!.Condition!.StringEquals!['kms:EncryptionContext:aws:s3:arn']).toBe(BUCKET);
  });

  it('Karpenter allows unscoped resources only for describe and pricing calls, and passes only the node role', () => {
    const doc = karpenterControllerPolicy({
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '123456789012',
      clusterName: 'c',
      clusterArn: 'arn:aws:eks:eu-west-1:123456789012:cluster/c',
      nodeRoleArn: 'arn:aws:iam::123456789012:role/node',
      interruptionQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:c',
    });
    expect(wildcards(doc)).toEqual(['AllowRegionalReadActions', 'AllowPricingReadActions']);
    expect(doc.Statement.find((s) => s.Action.includes('iam:PassRole'))!.Resource).toBe(
      'arn:aws:iam::123456789012:role/node',
    );
    const terminate = doc.Statement.find((s) => s.Action.includes('ec2:TerminateInstances'))!;
    expect(terminate.Condition!.StringEquals).toEqual({ 'aws:ResourceTag/kubernetes.io/cluster/c': 'owned' });
  });
});

describe('the AWS Load Balancer Controller policy', () => {
  const doc = loadBalancerControllerPolicy({ partition: 'aws', clusterName: 'c' });
  it('deletes and modifies only load balancers and security groups tagged with its cluster', () => {
    const destructive = doc.Statement.filter((s) =>
      s.Action.some((a) => /^(elasticloadbalancing:(Delete|Modify|Set)|ec2:DeleteSecurityGroup)/.test(a)),
    ).filter((s) => !s.Action.every((a) => /Listener|Rule|WebAcl/.test(a)));
    expect(destructive.map((s) => s.Sid)).toEqual(['ManageOwnSecurityGroups', 'ManageOwnLoadBalancers']);
    for (const statement of destructive) {
      expect(statement.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'c' } });
    }
    const create = doc.Statement.find((s) => s.Action.includes('elasticloadbalancing:CreateLoadBalancer'))!;
    expect(create.Condition).toEqual({ StringEquals: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'c' } });
  });
});
