import { describe, expect, it } from 'vitest';
import { chartSource, MirrorArgs, mirroredImage, splitImage } from './mirrors';

describe('mirrors', () => {
  const operator = {
    repository: 'https://kubeflow.github.io/spark-operator',
    name: 'spark-operator',
    version: '2.5.0',
  };
  const karpenter = { repository: 'oci://public.ecr.aws/karpenter', name: 'karpenter', version: '1.14.0' };

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

  it('takes a chart vendored in the repository from its folder, as helm pull saved it', () => {
    const vendored = new Set(['charts/spark-operator-2.5.0.tgz', '/srv/charts/karpenter-1.14.0.tgz']);
    const exists = (path: string) => vendored.has(path);
    expect(chartSource(operator, { charts: 'charts' }, exists)).toEqual({ chart: 'charts/spark-operator-2.5.0.tgz' });
    expect(chartSource(karpenter, { charts: '/srv/charts' }, exists)).toEqual({
      chart: '/srv/charts/karpenter-1.14.0.tgz',
    });
    // a version bump without the new file is refused with the command that fetches it
    expect(() => chartSource({ ...operator, version: '2.6.0' }, { charts: 'charts' }, exists)).toThrow(
      'mirrors.charts: "charts" holds no charts/spark-operator-2.6.0.tgz; expected the chart saved by `helm pull spark-operator --repo https://kubeflow.github.io/spark-operator --version 2.6.0 -d charts`',
    );
    expect(() => chartSource(karpenter, { charts: 'vendor' }, exists)).toThrow(
      '`helm pull oci://public.ecr.aws/karpenter/karpenter --version 1.14.0 -d vendor`',
    );
    for (const folder of ['charts', './vendor/charts', '/srv/charts', '../shared-charts'])
      expect(MirrorArgs.safeParse({ charts: folder }).success, folder).toBe(true);
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
    for (const charts of ['ftp://x', 'charts/', 'my charts'])
      expect(MirrorArgs.safeParse({ charts }).error?.issues[0]?.message, charts).toMatch(
        /is not a chart repository URL .* nor a folder of vendored charts/,
      );
    expect(MirrorArgs.safeParse({ images: 'https://registry' }).error?.issues[0]?.message).toMatch(/is not a registry/);
  });
});
