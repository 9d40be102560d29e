import { describe, expect, it } from 'vitest';
import { chartSource, MirrorArgs, mirroredImage, splitImage } from './mirrors';

describe('mirrors', () => {
  const operator = { repository: 'https://kubeflow.github.io/spark-operator', name: 'spark-operator' };
  const karpenter = { repository: 'oci://public.ecr.aws/karpenter', name: 'karpenter' };

  it('takes charts from upstream by default, from a chart repository or an OCI registry when named', () => {
    expect(chartSource(operator)).toEqual({ chart: 'spark-operator', repositoryOpts: { repo: operator.repository } });
    expect(chartSource(karpenter)).toEqual({ chart: 'oci://public.ecr.aws/karpenter/karpenter' });
    expect(chartSource(karpenter, { charts: 'https://charts.acme.internal' })).toEqual({
      chart: 'karpenter',
      repositoryOpts: { repo: 'https://charts.acme.internal' },
    });
    expect(chartSource(operator, { charts: 'oci://registry.acme.internal/charts' })).toEqual({
      chart: 'oci://registry.acme.internal/charts/spark-operator',
    });
  });

  it("pulls an image from the mirror under its upstream path, Docker Hub's implicit path made explicit", () => {
    expect(splitImage('postgres:16.10-alpine')).toEqual({
      registry: 'docker.io',
      path: 'library/postgres:16.10-alpine',
    });
    expect(splitImage('apache/spark:4.0.1')).toEqual({ registry: 'docker.io', path: 'apache/spark:4.0.1' });
    expect(splitImage('public.ecr.aws/karpenter/controller')).toEqual({
      registry: 'public.ecr.aws',
      path: 'karpenter/controller',
    });
    expect(mirroredImage('postgres:16', { images: 'registry.acme.internal/mirror' })).toBe(
      'registry.acme.internal/mirror/library/postgres:16',
    );
    expect(mirroredImage('postgres:16')).toBe('postgres:16');
  });

  it('names a malformed mirror and what is expected', () => {
    expect(MirrorArgs.safeParse({ charts: 'ftp://x' }).error?.issues[0]?.message).toMatch(
      /is not a chart repository URL/,
    );
    expect(MirrorArgs.safeParse({ images: 'https://registry' }).error?.issues[0]?.message).toMatch(/is not a registry/);
  });
});
