import { describe, expect, it } from 'vitest';
import { KubernetesClusterSettings } from './cluster-settings';

describe('KubernetesClusterSettings admission fields', () => {
  it('takes the autoscaler limits as capacity, and quotas; neither by default (unlimited)', () => {
    const parsed = KubernetesClusterSettings.parse({
      capacity: { cores: 1000, memory: '4000Gi' },
      quotas: { cluster: { applications: 50 }, teams: { 'team-a': { cores: 64, memory: '256g' } } },
    });
    expect(parsed.capacity).toEqual({ cores: 1000, memory: '4000Gi' });
    expect(parsed.quotas?.teams?.['team-a']).toEqual({ cores: 64, memory: '256g' });
    const plain = KubernetesClusterSettings.parse({});
    expect(plain.capacity).toBeUndefined();
    expect(plain.quotas).toBeUndefined();
  });

  it('names an unknown quota field and a capacity without memory', () => {
    const bad = KubernetesClusterSettings.safeParse({ capacity: { cores: 8 }, quotas: { cluster: { gpus: 1 } } });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['capacity.memory', 'quotas.cluster']);
  });
});
