/** The runtime's managed PostgreSQL (RDS): private, encrypted, reachable from the cluster only. */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import type { ManagedDatabase } from '../cluster/handle';
import type { AwsClusterArgs } from './args';
import { type AwsContext, childOptions } from './context';
import { POSTGRES_ENGINE_VERSION } from './versions';

type ManagedArgs = Extract<AwsClusterArgs['database'], { kind: 'managed' }>;

export const DATABASE_NAME = 'sparkplane';
export const DATABASE_USER = 'sparkplane';

export function createManagedDatabase(
  ctx: AwsContext,
  args: ManagedArgs,
  network: {
    vpcId: pulumi.Input<string>;
    subnetIds: pulumi.Input<string>[];
    clusterSecurityGroupId: pulumi.Input<string>;
  },
): ManagedDatabase {
  const opts = childOptions(ctx);
  const name = `${ctx.name}-db`;
  // URL-safe characters only: the password goes into a postgres:// URL
  const password = new random.RandomPassword(name, { length: 32, special: false }, { parent: ctx.parent });
  const subnets = new aws.rds.SubnetGroup(name, { subnetIds: network.subnetIds, tags: ctx.tags }, opts);
  const securityGroup = new aws.ec2.SecurityGroup(
    name,
    { vpcId: network.vpcId, description: 'sparkplane PostgreSQL, from the cluster only', tags: ctx.tags },
    opts,
  );
  new aws.vpc.SecurityGroupIngressRule(
    name,
    {
      securityGroupId: securityGroup.id,
      referencedSecurityGroupId: network.clusterSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: 5432,
      toPort: 5432,
      tags: ctx.tags,
    },
    opts,
  );
  const instance = new aws.rds.Instance(
    name,
    {
      engine: 'postgres',
      engineVersion: POSTGRES_ENGINE_VERSION,
      instanceClass: args.instanceClass,
      allocatedStorage: args.allocatedStorageGiB,
      storageType: 'gp3',
      storageEncrypted: true,
      dbName: DATABASE_NAME,
      username: DATABASE_USER,
      password: password.result,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [securityGroup.id],
      publiclyAccessible: false,
      multiAz: args.multiAz,
      backupRetentionPeriod: args.backupRetentionDays,
      deletionProtection: args.deletionProtection,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${name}-final`,
      autoMinorVersionUpgrade: true,
      tags: ctx.tags,
    },
    opts,
  );
  const url = pulumi.secret(
    pulumi.interpolate`postgres://${DATABASE_USER}:${password.result}@${instance.address}:5432/${DATABASE_NAME}?sslmode=require`,
  );
  return { url, host: instance.address };
}
