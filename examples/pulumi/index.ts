/** Entry point of `pulumi up` in examples/pulumi: the team's program with its image from config. */
import * as pulumi from '@pulumi/pulumi';
import { teamProgram } from './program';

const outputs = teamProgram(new pulumi.Config().require('runtimeImage'));

export const eksRuntimeUrl = outputs.eksRuntimeUrl;
export const gkeRuntimeUrl = outputs.gkeRuntimeUrl;
export const gkeBucket = outputs.gkeBucket;
