/**
 * The Pulumi program as a function of validated config: the cluster (AWS or adopted), the Spark
 * platform on it, and the outputs a user needs.
 */
import * as pulumi from '@pulumi/pulumi';
import {
  ALB_CLASS,
  AwsCluster,
  type ClusterHandle,
  ExistingCluster,
  Fleet,
  GkeCluster,
  resourceTags,
  SparkPlatform,
} from 'sparkplane/components';
import type { StackConfig } from './config';

export interface StackOutputs {
  clusterName: pulumi.Input<string>;
  /** kubeconfig (secret). */
  kubeconfig: pulumi.Output<string>;
  /** The Kubernetes API endpoint (AWS only; an adopted cluster's is in its kubeconfig). */
  kubernetesApiEndpoint: pulumi.Output<string | undefined>;
  /** The sparkplane API and UI. */
  sparkplaneUrl: pulumi.Output<string>;
  eventLogBucketUrl: pulumi.Input<string>;
  historyServerUrl: pulumi.Output<string | undefined>;
}

export function buildStack(config: StackConfig, stack: string): StackOutputs {
  const tags = resourceTags({ ...config.tags, extra: config.tags.extra }, stack);
  let handle: ClusterHandle;
  let endpoint: pulumi.Output<string | undefined> = pulumi.output(undefined);
  if (config.cloud === 'fleet') return buildFleet(config, stack);
  if (config.cloud === 'aws') {
    const aws = config.aws!;
    // an ALB Ingress is served by the AWS Load Balancer Controller: installed when one is asked for
    const loadBalancerController = aws.loadBalancerController || config.platform!.ingress?.className === ALB_CLASS;
    const cluster = new AwsCluster(`sparkplane-${stack}`, {
      ...aws,
      mirrors: { ...config.mirrors, ...aws.mirrors },
      loadBalancerController,
      tags,
    });
    handle = cluster.handle;
    endpoint = cluster.endpoint;
  } else if (config.cloud === 'gcp') {
    const cluster = new GkeCluster(`sparkplane-${stack}`, { ...config.gcp!, tags });
    handle = cluster.handle;
    endpoint = cluster.endpoint;
  } else {
    handle = new ExistingCluster(`sparkplane-${stack}`, { ...config.existing!, kubeconfig: config.kubeconfig! }).handle;
  }
  const platform = new SparkPlatform('sparkplane', {
    ...config.platform!,
    mirrors: { ...config.mirrors, ...config.platform!.mirrors },
    cluster: handle,
  });
  return {
    clusterName: handle.clusterName,
    kubeconfig: pulumi.secret(handle.kubeconfig),
    kubernetesApiEndpoint: endpoint,
    sparkplaneUrl: platform.runtimeUrl,
    eventLogBucketUrl: handle.objectStorageUrl,
    historyServerUrl: platform.historyServerUrl,
  };
}

/** A fleet: its clusters, and the control plane's cluster and runtime as the stack's outputs. */
function buildFleet(config: StackConfig, stack: string): StackOutputs {
  const fleet = new Fleet(`sparkplane-${stack}`, config.fleet!);
  const host = fleet.clusters.find((c) => c.name === fleet.expanded.controlPlane.cluster)!;
  return {
    clusterName: host.handle.clusterName,
    kubeconfig: pulumi.secret(host.handle.kubeconfig),
    kubernetesApiEndpoint: pulumi.output(undefined),
    sparkplaneUrl: fleet.controlPlaneUrl,
    eventLogBucketUrl: host.handle.objectStorageUrl,
    historyServerUrl: pulumi.output(undefined),
  };
}
