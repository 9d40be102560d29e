/** Entry point of `pulumi up` in this folder (Pulumi.yaml): the team's program with its stack's config. */
import * as pulumi from '@pulumi/pulumi';
import { teamProgram } from './program';

const config = new pulumi.Config();
const outputs = teamProgram({
  environment: pulumi.getStack(),
  region: config.require('region'),
  deployRoleArn: config.require('deployRoleArn'),
  runtimeImage: config.require('runtimeImage'),
});

export const clusterName = outputs.clusterName;
export const runtimeUrl = outputs.runtimeUrl;
