import { describe, expect, it } from 'vitest';
import { resourceTags } from './tags';

describe('resourceTags', () => {
  it('adds the stack identity to the team tags', () => {
    expect(
      resourceTags({ environment: 'prod', owner: 'data', costCenter: 'cc-1', extra: { project: 'x' } }, 'prod'),
    ).toEqual({
      project: 'x',
      environment: 'prod',
      owner: 'data',
      'cost-center': 'cc-1',
      'sparkplane:stack': 'prod',
      'managed-by': 'pulumi',
    });
  });

  it('refuses a value AWS would refuse, naming the tag', () => {
    expect(() => resourceTags({ environment: 'prod', owner: 'a|b', costCenter: 'c' }, 's')).toThrow(
      'tags.owner: "a|b" is not an AWS tag value',
    );
  });
});
