/**
 * A second program over the sparkplane component library, on both clouds: an EKS cluster in
 * its analytics account (reached by assuming a role through the team's own provider) and a GKE
 * cluster in its GCP project, each with the sparkplane platform. (One control plane over both is
 * what `Fleet` and `ControlPlane` add.)
 */
import * as aws from '@pulumi/aws';
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { AwsCluster, GkeCluster, resourceTags, SparkPlatform } from 'sparkplane/components';

export interface MultiCloudOutputs {
  eksRuntimeUrl: pulumi.Output<string>;
  gkeRuntimeUrl: pulumi.Output<string>;
  gkeBucket: pulumi.Output<string>;
}

export function multiCloudProgram(image: string): MultiCloudOutputs {
  const tags = resourceTags({ environment: 'prod', owner: 'analytics-platform', costCenter: 'cc-42' }, 'team-prod');
  const analytics = new aws.Provider('analytics-eu', {
    region: 'eu-central-1',
    assumeRoles: [{ roleArn: 'arn:aws:iam::210987654321:role/platform-deployer', sessionName: 'pulumi' }],
    defaultTags: { tags },
  });
  const eks = new AwsCluster('analytics-eks', {
    region: 'eu-central-1',
    clusterName: 'analytics-prod-euc1',
    network: { cidr: '10.50.0.0/16', zoneCount: 3, natGatewayPerZone: true },
    provider: analytics,
    tags,
  });
  const project = new gcp.Provider('analytics-gcp', { project: 'acme-analytics-prod', region: 'europe-west4' });
  const gke = new GkeCluster('analytics-gke', {
    project: 'acme-analytics-prod',
    location: 'europe-west4',
    clusterName: 'analytics-prod-euw4',
    releaseChannel: 'STABLE',
    provider: project,
    tags,
  });
  const eksPlatform = new SparkPlatform('analytics-eks-platform', { runtimeImage: image, cluster: eks.handle });
  const gkePlatform = new SparkPlatform('analytics-gke-platform', {
    runtimeImage: image,
    runtimeReplicas: 3,
    cluster: gke.handle,
  });
  return { eksRuntimeUrl: eksPlatform.runtimeUrl, gkeRuntimeUrl: gkePlatform.runtimeUrl, gkeBucket: gke.bucketName };
}
