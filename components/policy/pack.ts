/** The standards (./rules.ts) as @pulumi/policy policies, for `pulumi preview --policy-pack`. */
import type { Policies, PolicyResource, ReportViolation, ResourceValidationArgs } from '@pulumi/policy';
import type { StandardsConfig } from './config';
import { type CheckedResource, STANDARDS } from './rules';

const checked = (r: ResourceValidationArgs | PolicyResource): CheckedResource => ({
  type: r.type,
  name: r.name,
  urn: r.urn,
  props: r.props,
});

export function standardsPolicies(config: StandardsConfig): Policies {
  return STANDARDS.map((rule) =>
    rule.stack
      ? {
          name: rule.name,
          description: rule.description,
          enforcementLevel: 'mandatory' as const,
          validateStack: (args: { resources: PolicyResource[] }, report: ReportViolation) => {
            for (const v of rule.check(args.resources.map(checked), config)) report(v.message, v.urn);
          },
        }
      : {
          name: rule.name,
          description: rule.description,
          enforcementLevel: 'mandatory' as const,
          validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
            for (const v of rule.check([checked(args)], config)) report(v.message);
          },
        },
  );
}
