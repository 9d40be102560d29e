import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCrdValidator } from '../../../test/support/k8s-crd-validator';
import { KubernetesClusterSettings } from './cluster-settings';
import { renderSparkConnect } from './spark-connect';

const validator = loadCrdValidator(
  fileURLToPath(
    new URL('../../../../shared/schemas/spark-operator/sparkoperator.k8s.io_sparkconnects.yaml', import.meta.url),
  ),
  'v1alpha1',
);

const context = (settings: Record<string, unknown> = {}) => ({
  appId: 'session-abc',
  clusterId: 'prod',
  settings: KubernetesClusterSettings.parse({ eventLogBucketUrl: 's3a://logs', ...settings }),
});

describe('renderSparkConnect', () => {
  it('renders a SparkConnect the upstream CRD accepts: server, executors, dynamic allocation on, the event log', () => {
    const resource = renderSparkConnect(
      { driver: { cores: 1, memory: '512m' }, executor: { cores: 2, memory: '4g' }, labels: { team: 'a' } },
      context({ defaultImage: 'spark:4.0.1' }),
    );
    expect(validator.errors(resource)).toEqual([]);
    expect(resource).toMatchObject({
      apiVersion: 'sparkoperator.k8s.io/v1alpha1',
      kind: 'SparkConnect',
      metadata: {
        name: 'session-abc',
        namespace: 'spark-apps',
        labels: { team: 'a', 'sparkplane.io/app-id': 'session-abc', 'sparkplane.io/cluster-id': 'prod' },
      },
      spec: {
        image: 'spark:4.0.1',
        server: { cores: 1, memory: '512m' },
        // normalised to MiB, as the SparkApplication's pods
        executor: { cores: 2, memory: '4096m' },
        dynamicAllocation: { enabled: true, minExecutors: 0 },
      },
    });
    expect(resource.metadata.labels).not.toHaveProperty('sparkplane.io/job-id');
    // the operator copies only the template's labels onto the server pod: the stuck-start watch finds it by them
    expect(resource.spec.server.template).toEqual({
      metadata: { labels: { 'sparkplane.io/app-id': 'session-abc', 'sparkplane.io/cluster-id': 'prod' } },
    });
    expect(resource.spec.sparkConf).toMatchObject({
      'spark.connect.grpc.binding.port': '15002',
      'spark.eventLog.enabled': 'true',
      'spark.eventLog.dir': 's3a://logs/eventlogs',
    });
  });

  it('keeps dynamic allocation limits the config sets, and a fixed executor count', () => {
    const resource = renderSparkConnect(
      {
        executor: { instances: 3 },
        sparkConf: { 'spark.dynamicAllocation.enabled': 'true', 'spark.dynamicAllocation.maxExecutors': '8' },
      },
      context(),
    );
    expect(validator.errors(resource)).toEqual([]);
    expect(resource.spec.dynamicAllocation).toMatchObject({ enabled: true, maxExecutors: 8 });
    expect(resource.spec.executor.instances).toBe(3);
  });
});
