import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCidr, planSubnets } from './subnets';

describe('planSubnets', () => {
  it('splits a /16 into /18 private and /24 public subnets per zone', () => {
    expect(planSubnets('10.0.0.0/16', ['a', 'b', 'c'])).toEqual([
      { zone: 'a', privateCidr: '10.0.0.0/18', publicCidr: '10.0.192.0/24' },
      { zone: 'b', privateCidr: '10.0.64.0/18', publicCidr: '10.0.193.0/24' },
      { zone: 'c', privateCidr: '10.0.128.0/18', publicCidr: '10.0.194.0/24' },
    ]);
  });

  it('never produces overlapping subnets, all inside the VPC', () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 20 }), fc.integer({ min: 2, max: 3 }), (prefix, zoneCount) => {
        const plan = planSubnets(`10.0.0.0/${prefix}`, ['a', 'b', 'c'].slice(0, zoneCount));
        const ranges = plan
          .flatMap((p) => [p.privateCidr, p.publicCidr])
          .map((c) => parseCidr(c))
          .map(({ base, prefix: p }) => [base, base + 2 ** (32 - p)] as const)
          .sort((x, y) => x[0] - y[0]);
        const vpcEnd = 2 ** (32 - prefix) + parseCidr(`10.0.0.0/${prefix}`).base;
        ranges.forEach(([start, end], i) => {
          expect(end).toBeLessThanOrEqual(vpcEnd);
          if (i > 0) expect(start).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
        });
      }),
    );
  });

  it('names the field, the value and the expectation on bad input', () => {
    expect(() => planSubnets('10.0.0.1/16', ['a', 'b'])).toThrow('vpc.cidr: "10.0.0.1/16" has host bits set');
    expect(() => planSubnets('10.0.0.0/24', ['a', 'b'])).toThrow('expected a prefix of /20 or larger');
    expect(() => planSubnets('10.0.0.0/16', ['a'])).toThrow('vpc.zoneCount: 1 is not supported; expected 2 or 3');
    expect(() => planSubnets('banana', ['a', 'b'])).toThrow('is not an IPv4 CIDR');
  });
});
