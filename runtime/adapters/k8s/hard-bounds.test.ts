import { describe, expect, it } from 'vitest';
import { KubernetesClusterSettings } from './cluster-settings';
import { hardBoundIssues } from './hard-bounds';

describe('hardBoundIssues', () => {
  it("takes the largest node of the cluster's autoscaler: what a gke node holds, a karpenter one may not", () => {
    const config = { driver: { cores: 1000 } };
    expect(hardBoundIssues(config, KubernetesClusterSettings.parse({ autoscaler: 'gke' }))).toEqual([]);
    expect(hardBoundIssues(config, KubernetesClusterSettings.parse({})).map((i) => i.path)).toEqual([
      'config.driver.cores',
    ]);
  });

  it('lets the largest possible values through and refuses one more', () => {
    const settings = KubernetesClusterSettings.parse({});
    const largest = { executor: { cores: 896, memory: '32768g', instances: 149_999 } };
    expect(hardBoundIssues(largest, settings)).toEqual([]);
    const over = { executor: { cores: 897, memory: '32769g', instances: 150_000 } };
    expect(hardBoundIssues(over, settings).map((i) => i.path)).toEqual([
      'config.executor.cores',
      'config.executor.memory',
      'config.executor.instances',
    ]);
  });
});
