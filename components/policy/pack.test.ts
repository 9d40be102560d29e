/** The pack adapts every rule to @pulumi/policy, reporting the rule's message (and the resource for stack rules). */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { describe, expect, it } from 'vitest';
import { StandardsConfig } from './config';
import { standardsPolicies } from './pack';
import { STANDARDS } from './rules';

describe('the policy pack', () => {
  const policies = standardsPolicies(StandardsConfig.parse({}));

  it('has one mandatory policy per rule', () => {
    expect(policies.map((p) => p.name)).toEqual(STANDARDS.map((r) => r.name));
    expect(policies.every((p) => p.enforcementLevel === 'mandatory')).toBe(true);
  });

  it('reports a resource rule through validateResource and a stack rule through validateStack', async () => {
    const regions = policies.find((p) => p.name === 'allowed-regions') as ResourceValidationPolicy;
    const reported: string[] = [];
    const args = { type: 'pulumi:providers:aws', name: 'far', urn: 'urn:x', props: { region: 'ap-south-1' } };
    const validate = regions.validateResource as (a: unknown, report: (m: string) => void) => void;
    validate(args, (message) => reported.push(message));
    expect(reported).toEqual([expect.stringContaining('region "ap-south-1" is outside the allowed regions')]);

    const buckets = policies.find((p) => p.name === 'encrypted-buckets') as StackValidationPolicy;
    const violations: [string, string | undefined][] = [];
    const bucket = { type: 'aws:s3/bucket:Bucket', name: 'b', urn: 'urn:b', props: {} } as unknown as PolicyResource;
    await buckets.validateStack({ resources: [bucket] } as never, (message, urn) => violations.push([message, urn]));
    expect(violations).toEqual([['aws:s3/bucket:Bucket b: has no server-side encryption configuration', 'urn:b']]);
  });
});
