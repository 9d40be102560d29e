/**
 * The object storage bucket for Spark event logs (read by the History Server and the runtime's
 * metrics) and shuffle/decommission fallback. Encrypted, versioned, private, TLS only, with
 * lifecycle rules so nothing grows without bound.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { EVENT_LOG_PREFIX } from '../../runtime/domain/event-log-layout';
import type { AwsClusterArgs } from './args';
import { type AwsContext, childOptions } from './context';
import { bucketTlsOnlyPolicy, crossAccountEventLogReadStatements, eventLogKeyPolicy } from './iam-policies';

/** Key prefixes inside the bucket. */
/** Where the Kubernetes back-end's applications write (runtime/domain/event-log-layout.ts): the rule expires what they write. */
export const EVENT_LOG_KEY_PREFIX = `${EVENT_LOG_PREFIX}/`;
export const SHUFFLE_PREFIX = 'shuffle/';

export interface EventLogBucket {
  bucket: aws.s3.Bucket;
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
  /** The customer key when encryption is "aws:kms". */
  kmsKeyArn?: pulumi.Output<string>;
}

/** Lifecycle rules as plain data (tested directly). */
export function lifecycleRules(
  args: AwsClusterArgs['eventLogs'],
): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
  return [
    {
      id: 'expire-event-logs',
      status: 'Enabled',
      filter: { prefix: EVENT_LOG_KEY_PREFIX },
      expiration: { days: args.retentionDays },
    },
    {
      id: 'expire-shuffle-fallback',
      status: 'Enabled',
      filter: { prefix: SHUFFLE_PREFIX },
      expiration: { days: args.shuffleRetentionDays },
    },
    {
      id: 'expire-old-versions-and-uploads',
      status: 'Enabled',
      filter: {},
      noncurrentVersionExpiration: { noncurrentDays: 7 },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    },
  ];
}

/** IAM roles of other AWS accounts that read the bucket's event logs (a control plane's runtime). */
export interface CrossAccountReaders {
  roleArns: pulumi.Input<string>[];
  /** The bucket's own account and partition, which keep administering its key. */
  accountId: pulumi.Input<string>;
  partition: pulumi.Input<string>;
  region: string;
}

export function createEventLogBucket(
  ctx: AwsContext,
  args: AwsClusterArgs['eventLogs'],
  /** Prefix of the generated bucket name. */
  bucketPrefix: string,
  /** @default none: only this account's roles read the bucket */
  readers?: CrossAccountReaders,
): EventLogBucket {
  const opts = childOptions(ctx);
  const name = `${ctx.name}-events`;
  const bucket = new aws.s3.Bucket(name, { bucketPrefix, forceDestroy: args.forceDestroy, tags: ctx.tags }, opts);
  const readerRoleArns = readers?.roleArns.length ? pulumi.all(readers.roleArns) : undefined;
  let kmsKeyArn: pulumi.Output<string> | undefined;
  if (args.encryption === 'aws:kms') {
    const key = new aws.kms.Key(
      name,
      {
        description: `Spark event logs of ${ctx.name}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: ctx.tags,
        // without readers elsewhere the default key policy (the account administers it through IAM) stays
        ...(readers && readerRoleArns
          ? {
              policy: pulumi
                .all([readers.partition, readers.accountId, bucket.arn, readerRoleArns])
                .apply(([partition, accountId, bucketArn, roleArns]) =>
                  JSON.stringify(
                    eventLogKeyPolicy({
                      partition,
                      accountId,
                      region: readers.region,
                      bucketArn,
                      readerRoleArns: roleArns,
                    }),
                  ),
                ),
            }
          : {}),
      },
      opts,
    );
    kmsKeyArn = key.arn;
  }
  new aws.s3.BucketServerSideEncryptionConfiguration(
    name,
    {
      bucket: bucket.id,
      rules: [
        {
          applyServerSideEncryptionByDefault: {
            sseAlgorithm: args.encryption,
            ...(kmsKeyArn ? { kmsMasterKeyId: kmsKeyArn } : {}),
          },
          // one data key per bucket, not per object: fewer KMS calls for Spark's many small files
          bucketKeyEnabled: args.encryption === 'aws:kms',
        },
      ],
    },
    opts,
  );
  new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } }, opts);
  new aws.s3.BucketLifecycleConfiguration(name, { bucket: bucket.id, rules: lifecycleRules(args) }, opts);
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    name,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  new aws.s3.BucketOwnershipControls(
    name,
    { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } },
    opts,
  );
  new aws.s3.BucketPolicy(
    name,
    {
      bucket: bucket.id,
      policy: pulumi
        .all([bucket.arn, readerRoleArns ?? []])
        .apply(([arn, roleArns]) =>
          JSON.stringify(
            bucketTlsOnlyPolicy(arn, ...(roleArns.length ? crossAccountEventLogReadStatements(arn, roleArns) : [])),
          ),
        ),
    },
    childOptions(ctx, { dependsOn: [publicAccess] }),
  );
  return { bucket, name: bucket.bucket, arn: bucket.arn, ...(kmsKeyArn ? { kmsKeyArn } : {}) };
}
