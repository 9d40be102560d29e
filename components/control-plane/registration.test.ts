/** The control plane's files, as the runtime reads them, and the jobs it carries. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KubernetesClusterSettings } from '../../runtime/adapters/k8s/cluster-settings';
import { ClusterSpec } from '../../runtime/domain/cluster';
import { JobSpec } from '../../runtime/domain/resources';
import { parsePriceTable } from '../../runtime/metrics/cost';
import { eksKubeconfig } from '../aws/kubeconfig';
import { gkeKubeconfig } from '../gcp/kubeconfig';
import { sparkJobManifests } from '../jobs/spark-job-manifests';
import {
  controlPlaneClustersFile,
  controlPlaneKubeconfig,
  controlPlanePricesFile,
  type RegisteredCluster,
  runtimeUser,
} from './registration';

const spark = {
  namespace: 'spark-apps',
  driverServiceAccount: 'spark-driver',
  executorServiceAccount: 'spark-executor',
};
const CLUSTERS: RegisteredCluster[] = [
  {
    id: 'a-prod-euw1',
    region: 'eu-west-1',
    host: true,
    spark,
    autoscaler: 'karpenter',
    eventLogBucketUrl: 's3a://a',
    kubeconfig: '{}',
  },
  {
    id: 'g-prod-euw1',
    region: 'europe-west1',
    host: false,
    spark,
    autoscaler: 'gke',
    eventLogBucketUrl: 'gs://g',
    kubeconfig: gkeKubeconfig({ clusterName: 'g-prod-euw1', endpoint: '34.1.2.3', certificateAuthority: 'Q0E=' }),
  },
];

describe('control plane registration', () => {
  it('renders a clusters file the runtime accepts: the host in-cluster, remote clusters by context', () => {
    const specs = (parse(controlPlaneClustersFile(CLUSTERS)) as unknown[]).map((c) => ClusterSpec.parse(c));
    expect(specs.map((s) => [s.id, s.region, KubernetesClusterSettings.parse(s.settings).context])).toEqual([
      ['a-prod-euw1', 'eu-west-1', undefined],
      ['g-prod-euw1', 'europe-west1', 'g-prod-euw1'],
    ]);
    expect(KubernetesClusterSettings.parse(specs[1]!.settings).autoscaler).toBe('gke');
  });

  it('merges the remote kubeconfigs under contexts named by cluster id, and refuses one without a context', () => {
    const merged = parse(controlPlaneKubeconfig(CLUSTERS)) as {
      contexts: { name: string }[];
      clusters: { cluster: { server: string } }[];
    };
    expect(merged.contexts.map((c) => c.name)).toEqual(['g-prod-euw1']);
    expect(merged.clusters[0]!.cluster.server).toBe('https://34.1.2.3');
    // the runtime's image has no gke-gcloud-auth-plugin: its own CLI makes the token
    expect((merged as unknown as { users: { user: unknown }[] }).users[0]!.user).toEqual({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: 'sparkplane',
        args: ['cluster-token', 'gke'],
      },
    });
    expect(() => controlPlaneKubeconfig([{ ...CLUSTERS[1]!, kubeconfig: '{"contexts": []}' }])).toThrow(
      'cluster g-prod-euw1: its kubeconfig has no current context',
    );
  });

  it('turns the cloud CLIs exec plugins into sparkplane cluster-token, and leaves other users alone', () => {
    const eks = parse(
      eksKubeconfig({
        clusterName: 'a-prod-euw1',
        endpoint: 'https://e',
        certificateAuthority: 'Q0E=',
        region: 'eu-west-1',
      }),
    ) as { users: { user: unknown }[] };
    expect(runtimeUser(eks.users[0]!.user)).toEqual({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: 'sparkplane',
        args: ['cluster-token', 'eks', '--cluster-name', 'a-prod-euw1', '--region', 'eu-west-1'],
      },
    });
    const token = { token: 'static' };
    expect(runtimeUser(token)).toBe(token);
    // an aws exec without the cluster name is not guessed at
    const partial = { exec: { command: 'aws', args: ['eks', 'get-token', '--region', 'eu-west-1'] } };
    expect(runtimeUser(partial)).toBe(partial);
  });

  it('joins every cluster price list into one table the runtime parses', () => {
    const price = {
      instanceType: 'n2-standard-8',
      region: 'europe-west1',
      capacityType: 'spot',
      pricePerHour: 0.1,
      vcpus: 8,
      memoryGiB: 32,
    };
    expect(
      parsePriceTable(parse(controlPlanePricesFile([[price], [], [{ ...price, region: 'us-central1' }]]))).instances,
    ).toHaveLength(2);
  });

  it('carries jobs as SparkJobs whose spec is the runtime JobSpec, and names a wrong job by its index and field', () => {
    const [manifest] = sparkJobManifests(
      [{ id: 'nightly', clusterId: 'g-prod-euw1', config: { type: 'Python', mainApplicationFile: 'gs://j/main.py' } }],
      'sparkplane',
      ['g-prod-euw1'],
    );
    expect(manifest).toMatchObject({ apiVersion: 'sparkplane.io/v1alpha1', kind: 'SparkJob' });
    expect(manifest!.metadata).toMatchObject({ name: 'nightly', namespace: 'sparkplane' });
    expect(JobSpec.parse(manifest!.spec)).toMatchObject({ id: 'nightly', clusterId: 'g-prod-euw1' });
    expect(() => sparkJobManifests([{ id: 'x', clusterId: 'elsewhere' }], 'sparkplane', ['g-prod-euw1'])).toThrow(
      'jobs[0].clusterId: "elsewhere" is not a cluster of the fleet',
    );
    expect(() =>
      sparkJobManifests([{ id: 'Bad Id', clusterId: 'g-prod-euw1' }], 'sparkplane', ['g-prod-euw1']),
    ).toThrow(/jobs\.0\.id|jobs\[0\]\.id/);
  });
});
