import { describe, expect, it } from 'vitest';
import { KubernetesClusterSettings } from './cluster-settings';
import { connectAddress, connectStatus } from './connect-states';
import type { SparkConnectObject } from './spark-connect';

function resource(status?: SparkConnectObject['status']): SparkConnectObject {
  return {
    apiVersion: 'sparkoperator.k8s.io/v1alpha1',
    kind: 'SparkConnect',
    metadata: { name: 'session-x', namespace: 'spark-apps', labels: {} },
    spec: {
      sparkVersion: '4.0.1',
      sparkConf: {},
      server: { cores: 1, memory: '1g' },
      executor: { cores: 1, memory: '1g' },
      dynamicAllocation: { enabled: true },
    },
    ...(status ? { status } : {}),
  };
}

describe('connectAddress', () => {
  it("defaults to the server Service's cluster DNS name and Spark Connect's port, as spark-operator names it", () => {
    const { sessionConnectAddress } = KubernetesClusterSettings.parse({});
    // the operator's GetServerServiceName: <name>-server unless the status names the Service
    expect(connectAddress(sessionConnectAddress, resource())).toEqual({
      host: 'session-x-server.spark-apps.svc.cluster.local',
      port: 15002,
    });
    expect(connectAddress(sessionConnectAddress, resource({ server: { serviceName: 'custom' } }))?.host).toBe(
      'custom.spark-apps.svc.cluster.local',
    );
  });

  it('fills {podIp} once the operator reports it, and is undefined before', () => {
    expect(connectAddress('{podIp}:15002', resource({ state: 'Provisioning' }))).toBeUndefined();
    expect(connectAddress('{podIp}:15002', resource({ server: { podIp: '10.1.2.3' } }))).toEqual({
      host: '10.1.2.3',
      port: 15002,
    });
  });

  it('refuses a setting that is not host:port, naming it', () => {
    const parsed = KubernetesClusterSettings.safeParse({ sessionConnectAddress: 'no-port' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['sessionConnectAddress']);
  });
});

describe('connectStatus', () => {
  it('is PENDING until the server answered, RUNNING after (a NotReady blip included), FAILED with the reason', () => {
    expect(connectStatus(resource(), { answered: false })).toEqual({
      state: 'PENDING',
      reason: 'spark-operator has not seen the SparkConnect yet',
    });
    expect(connectStatus(resource({ state: 'Ready' }), { answered: false, address: 'h:1' })).toEqual({
      state: 'PENDING',
      reason: 'the server pod is ready; waiting for Spark Connect to answer at h:1',
    });
    expect(connectStatus(resource({ state: 'NotReady', startTime: 't' }), { answered: true })).toEqual({
      state: 'RUNNING',
      startedAt: 't',
    });
    const failed = resource({
      state: 'Failed',
      conditions: [{ type: 'ServerPodReady', status: 'False', message: 'Server pod failed: OOMKilled' }],
    });
    expect(connectStatus(failed, { answered: true })).toEqual({
      state: 'FAILED',
      reason: 'the Spark Connect server failed: Server pod failed: OOMKilled',
    });
    expect(connectStatus(resource({ state: 'Weird' }), { answered: false }).reason).toBe(
      'unknown SparkConnect state Weird',
    );
  });
});
