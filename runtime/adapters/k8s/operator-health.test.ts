import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { operatorHealth } from './operator-health';

const deployment = (name: string, available: number, labels: Record<string, string>, image?: string): V1Deployment => ({
  metadata: { name, labels: { 'app.kubernetes.io/name': 'spark-operator', ...labels } },
  spec: {
    replicas: 1,
    selector: {},
    template: { spec: { containers: [{ name: 'op', ...(image ? { image } : {}) }] } },
  },
  status: { availableReplicas: available },
});

describe('operatorHealth', () => {
  it('runs with a controller available; the version from the chart label, else the image tag', () => {
    expect(
      operatorHealth(
        [deployment('c', 1, { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/version': '2.5.0' })],
        'ops',
      ),
    ).toEqual({ version: '2.5.0' });
    expect(operatorHealth([deployment('c', 1, {}, 'ghcr.io/kubeflow/spark-operator/controller:2.4.1')], 'ops')).toEqual(
      { version: '2.4.1' },
    );
    expect(operatorHealth([deployment('c', 1, {}, 'registry.local:5000/spark-operator')], 'ops')).toEqual({});
  });

  it('names the component that is down', () => {
    const controller = deployment('op-controller', 0, { 'app.kubernetes.io/component': 'controller' });
    expect(operatorHealth([controller], 'ops').problem).toBe(
      "spark-operator's controller ops/op-controller has 0/1 available replicas: SparkApplications are not started",
    );
    const webhook = deployment('op-webhook', 0, { 'app.kubernetes.io/component': 'webhook' });
    const running = deployment('op-controller', 1, { 'app.kubernetes.io/component': 'controller' });
    expect(operatorHealth([running, webhook], 'ops').problem).toMatch(
      /^spark-operator's webhook ops\/op-webhook has 0\/1/,
    );
    // two deployments, neither labelled controller: which starts applications is not known
    expect(operatorHealth([webhook, deployment('other', 1, {})], 'ops').problem).toMatch(/controller is not deployed/);
  });
});
