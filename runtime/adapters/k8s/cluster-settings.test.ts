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

describe('KubernetesClusterSettings batch scheduler and stuck-start limits', () => {
  it('takes a batch scheduler by kind, and names a missing kind and a queue no label can hold', () => {
    expect(
      KubernetesClusterSettings.parse({ batchScheduler: { kind: 'kueue', queue: 'team-a' } }).batchScheduler,
    ).toEqual({
      kind: 'kueue',
      queue: 'team-a',
    });
    const bad = KubernetesClusterSettings.safeParse({ batchScheduler: { queue: 'team a/b' } });
    expect(bad.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['batchScheduler.kind', expect.stringContaining('"kueue"')],
      ['batchScheduler.queue', expect.stringMatching(/^is not a Kubernetes label value/)],
    ]);
  });

  it('documents its stuck-start defaults and takes each limit on its own', () => {
    expect(KubernetesClusterSettings.parse({}).stuckStart).toEqual({
      imagePullSeconds: 60,
      unschedulableSeconds: 600,
      driverPodCreationSeconds: 300,
    });
    expect(KubernetesClusterSettings.parse({ stuckStart: { imagePullSeconds: 5 } }).stuckStart.imagePullSeconds).toBe(
      5,
    );
    expect(
      KubernetesClusterSettings.safeParse({ stuckStart: { imagePullSeconds: -1 } }).error?.issues[0]?.path,
    ).toEqual(['stuckStart', 'imagePullSeconds']);
  });
});
