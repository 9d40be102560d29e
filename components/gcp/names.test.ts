import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedName, gcpLabels } from './names';
import { workloadPrincipal } from './workload-identity';

describe('GCP names', () => {
  const base = fc.stringMatching(/^[a-z][a-z0-9-]{0,80}[a-z0-9]$/);

  it('fit the limit, are deterministic, end with the suffix, and differ for different bases', () => {
    fc.assert(
      fc.property(base, base, fc.integer({ min: 20, max: 63 }), (a, b, max) => {
        const name = boundedName(a, 'nodes', max);
        expect(name.length).toBeLessThanOrEqual(max);
        expect(name).toBe(boundedName(a, 'nodes', max));
        expect(name.endsWith('-nodes')).toBe(true);
        if (a !== b) expect(boundedName(b, 'nodes', max)).not.toBe(name);
      }),
    );
    expect(boundedName('short', 'nodes', 30)).toBe('short-nodes');
  });

  it('turns tags into GCP labels', () => {
    expect(gcpLabels({ 'sparkplane:stack': 'Prod EU', 'cost-center': 'cc-1' })).toEqual({
      sparkplane_stack: 'prod_eu',
      'cost-center': 'cc-1',
    });
  });

  it('names a Kubernetes service account as a Workload Identity Federation principal', () => {
    expect(workloadPrincipal('123456789012', 'acme', 'spark-apps', 'spark-driver')).toBe(
      'principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/acme.svc.id.goog/subject/ns/spark-apps/sa/spark-driver',
    );
  });
});
