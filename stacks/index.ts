/** Entry point of `pulumi up`: reads and validates the stack config once, builds the stack, exports its outputs. */
import * as pulumi from '@pulumi/pulumi';
import { readStackConfig } from './config';
import { buildStack } from './program';

const outputs = buildStack(readStackConfig(pulumi.runtime.allConfig()), pulumi.getStack());

export const clusterName = outputs.clusterName;
export const kubeconfig = outputs.kubeconfig;
export const kubernetesApiEndpoint = outputs.kubernetesApiEndpoint;
export const sparkplaneUrl = outputs.sparkplaneUrl;
export const eventLogBucketUrl = outputs.eventLogBucketUrl;
export const historyServerUrl = outputs.historyServerUrl;
