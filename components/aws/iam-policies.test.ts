import { describe, expect, it } from 'vitest';
import {
  historyServerBucketPolicy,
  karpenterControllerPolicy,
  type PolicyDocument,
  sparkBucketPolicy,
} from './iam-policies';

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
    const actions = historyServerBucketPolicy(BUCKET, KEY, 'eu-west-1').Statement.flatMap((s) => s.Action);
    expect(actions.filter((a) => /Put|Delete|Encrypt|GenerateDataKey/.test(a))).toEqual([]);
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
