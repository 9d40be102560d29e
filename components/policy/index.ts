/**
 * The policy pack of the platform's standards: `pulumi preview --policy-pack components/policy`.
 * A team with other standards builds its own pack from `standardsPolicies(StandardsConfig.parse({...}))`.
 */
import { PolicyPack } from '@pulumi/policy';
import { StandardsConfig } from './config';
import { standardsPolicies } from './pack';

new PolicyPack('sparkplane-standards', { policies: standardsPolicies(StandardsConfig.parse({})) });
