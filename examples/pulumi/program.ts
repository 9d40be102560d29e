/**
 * A platform team's own Pulumi program over the sparkplane component library: a Spark cluster in
 * the analytics account (reached by assuming its deploy role), the platform on it, its own names
 * and tags. Everything comes from `sparkplane/components`, as it would from the published package.
 */
import * as aws from '@pulumi/aws';
import { AwsCluster, resourceTags, SparkPlatform } from 'sparkplane/components';

export interface TeamProgramInput {
  /** e.g. "prod" */
  environment: string;
  region: string;
  /** The deploy role of the account the cluster lives in. */
  deployRoleArn: string;
  runtimeImage: string;
}

export function teamProgram(input: TeamProgramInput) {
  const name = `analytics-${input.environment}-${input.region}`;
  const tags = resourceTags({ environment: input.environment, owner: 'data-platform', costCenter: 'cc-42' }, name);
  const account = new aws.Provider(`${name}-account`, {
    region: input.region as aws.Region,
    assumeRoles: [{ roleArn: input.deployRoleArn, sessionName: 'platform-team' }],
    defaultTags: { tags },
  });
  const cluster = new AwsCluster(name, {
    clusterName: name,
    region: input.region,
    provider: account,
    network: { cidr: '10.60.0.0/16', zoneCount: 2, natGatewayPerZone: false },
    spark: { namespace: 'analytics-jobs' },
    tags,
  });
  const platform = new SparkPlatform(name, { cluster: cluster.handle, runtimeImage: input.runtimeImage });
  return { clusterName: cluster.clusterName, runtimeUrl: platform.runtimeUrl };
}
