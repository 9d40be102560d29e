/**
 * Stuck starts and batch schedulers on the kubernetes back-end, through the real
 * @kubernetes/client-node against the test API server (real HTTP): a driver whose image cannot be
 * pulled, that stays unschedulable, or that is never created ends FAILED with the Kubernetes
 * reason once its limit is crossed (a manual clock crosses it), and its SparkApplication is
 * deleted; a session's SparkConnect whose server pod cannot pull its image likewise, the
 * SparkConnect deleted; Kueue, YuniKorn and Volcano get valid SparkApplications carrying their queue and gang.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import type { ApplicationConfig } from '../../runtime/domain/config';
import type { BackendStatus } from '../../runtime/domain/ports';
import {
  KubernetesClusterSettings,
  type KubernetesClusterSettingsInput,
} from '../../runtime/adapters/k8s/cluster-settings';
import { SPARK_CONNECT_CRD_FILE } from '../../runtime/adapters/k8s/crd-validator';
import { KubernetesSparkBackend } from '../../runtime/adapters/k8s/kubernetes-backend';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver';
import { loadCrdValidator, SPARK_APPLICATION_CRD_FILE } from '../support/k8s-crd-validator';
import { ManualClock } from '../support/manual-clock';
import { waitFor } from '../support/spark';

const NS = 'spark-apps';
const CONFIG: ApplicationConfig = {
  type: 'Python',
  mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py',
  executor: { instances: 2 },
};
const LIMITS = { imagePullSeconds: 30, unschedulableSeconds: 120, driverPodCreationSeconds: 90 };

function application(id: string, type: Application['type'] = 'batch'): Application {
  return {
    id,
    type,
    clusterId: 'dev',
    jobId: 'pi',
    state: 'NEW',
    submissionSource: 'api',
    configOverrides: CONFIG,
    config: CONFIG,
    provenance: {} as Application['provenance'],
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
  };
}

/** Long enough for several checks (every 20 ms) to have run on what the watches delivered. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

let server: FakeKubeApiServer;
let clock: ManualClock;
let backend: KubernetesSparkBackend;
/** What the back-end reported, with the (manual) clock's time of each report. */
let seen: { appId: string; status: BackendStatus; at: string }[];

function makeBackend(settings: KubernetesClusterSettingsInput = {}): KubernetesSparkBackend {
  const made = new KubernetesSparkBackend({
    clusterId: 'dev',
    kubeConfig: server.kubeConfig(),
    settings: KubernetesClusterSettings.parse({ stuckStart: LIMITS, ...settings }),
    requestTimeoutMs: 2_000,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    stuckCheckIntervalMs: 20,
    sessionProbeIntervalMs: 20,
    clock,
  });
  made.onStatus((appId, status) => seen.push({ appId, status, at: clock.now().toISOString() }));
  return made;
}

const failure = (appId: string) => seen.find((s) => s.appId === appId && s.status.state === 'FAILED');

/** The driver pod spark-operator would create for `appId`, with the kubelet's or scheduler's status, once the watch has it. */
async function driverPod(appId: string, status: Record<string, unknown>): Promise<void> {
  server.setPod(NS, {
    metadata: {
      name: `${appId}-driver`,
      labels: { 'sparkplane.io/app-id': appId, 'sparkplane.io/cluster-id': 'dev', 'spark-role': 'driver' },
    },
    status,
  });
  // the clock moves by hand: the watch must have delivered before it does
  await settle();
}

/** A pod's status as the kubelet writes it while it cannot pull `image`, scheduled at `scheduledAt`. */
function backingOff(scheduledAt: string, image: string): Record<string, unknown> {
  return {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: scheduledAt }],
    containerStatuses: [
      {
        name: 'spark-kubernetes-driver',
        ready: false,
        restartCount: 0,
        image,
        imageID: '',
        state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } },
      },
    ],
  };
}

async function submitted(appId: string): Promise<void> {
  await backend.submit(application(appId), CONFIG);
  server.setStatus(NS, appId, {
    applicationState: { state: 'SUBMITTED' },
    lastSubmissionAttemptTime: clock.now().toISOString(),
    driverInfo: { podName: `${appId}-driver` },
  });
  await settle();
}

beforeEach(async () => {
  server = await FakeKubeApiServer.start();
  clock = new ManualClock('2030-01-01T00:00:00.000Z');
  server.now = () => clock.now();
  seen = [];
  backend = makeBackend();
});

afterEach(async () => {
  await backend.close();
  await server.close();
});

describe('stuck starts', () => {
  it('an image pull failure ends the application FAILED with the reason within the limit, and deletes the SparkApplication', async () => {
    await submitted('pull-1');
    const scheduledAt = clock.now().toISOString();
    await driverPod('pull-1', backingOff(scheduledAt, 'x'));
    clock.advanceSeconds(LIMITS.imagePullSeconds - 1);
    await settle();
    expect(failure('pull-1')).toBeUndefined();
    expect(server.get(NS, 'pull-1')).toBeDefined();

    clock.advanceSeconds(1);
    const failed = await waitFor('FAILED', () => failure('pull-1'));
    expect(failed.status.reason).toBe('driver pod: ImagePullBackOff: Back-off pulling image "x"');
    expect(Date.parse(failed.at) - Date.parse(scheduledAt)).toBe(LIMITS.imagePullSeconds * 1000);
    expect(server.get(NS, 'pull-1')).toBeUndefined();
    // its DELETED event, and a reconcile, read the same failure, reported once
    await settle();
    expect(seen.filter((s) => s.appId === 'pull-1' && s.status.state === 'FAILED')).toHaveLength(1);
    expect(await backend.status({ ...application('pull-1'), state: 'PENDING' })).toMatchObject({
      state: 'FAILED',
      reason: failed.status.reason,
    });
  });

  it('quotes the last Warning event of the pod in the reason: the registry’s answer, not only the back-off', async () => {
    await submitted('pull-2');
    const scheduledAt = clock.now().toISOString();
    await driverPod('pull-2', backingOff(scheduledAt, 'x'));
    const pullError =
      'Failed to pull image "x": rpc error: code = NotFound desc = failed to resolve reference "x": not found';
    server.addEvent(NS, {
      kind: 'Pod',
      name: 'pull-2-driver',
      type: 'Warning',
      reason: 'Failed',
      message: pullError,
      time: scheduledAt,
    });
    // the kubelet's summary after it, which says no more than the pod's status
    server.addEvent(NS, {
      kind: 'Pod',
      name: 'pull-2-driver',
      type: 'Warning',
      reason: 'Failed',
      message: 'Error: ImagePullBackOff',
      time: scheduledAt,
    });
    server.addEvent(NS, {
      kind: 'Pod',
      name: 'other-driver',
      type: 'Warning',
      reason: 'Failed',
      message: 'not this one',
      time: scheduledAt,
    });
    clock.advanceSeconds(LIMITS.imagePullSeconds);
    const failed = await waitFor('FAILED', () => failure('pull-2'));
    expect(failed.status.reason).toBe(
      `driver pod: ImagePullBackOff: Back-off pulling image "x"; last Warning event: Failed: ${pullError}`,
    );
    expect(server.get(NS, 'pull-2')).toBeUndefined();
  });

  it('a driver pod unschedulable past its limit ends FAILED with the scheduler message', async () => {
    await submitted('unsched-1');
    await driverPod('unsched-1', {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/3 nodes are available: 3 Insufficient cpu.',
          lastTransitionTime: clock.now().toISOString(),
        },
      ],
    });
    clock.advanceSeconds(LIMITS.unschedulableSeconds - 1);
    await settle();
    expect(failure('unsched-1')).toBeUndefined();
    clock.advanceSeconds(1);
    const failed = await waitFor('FAILED', () => failure('unsched-1'));
    expect(failed.status.reason).toBe(
      'driver pod: Unschedulable for more than 120 s: 0/3 nodes are available: 3 Insufficient cpu.',
    );
    expect(server.get(NS, 'unsched-1')).toBeUndefined();
  });

  it('a driver pod never created ends FAILED after its limit; one that appears and runs does not', async () => {
    await submitted('never-1');
    await submitted('fine-1');
    await driverPod('fine-1', {
      phase: 'Running',
      conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: clock.now().toISOString() }],
    });
    clock.advanceSeconds(LIMITS.driverPodCreationSeconds - 1);
    await settle();
    expect(failure('never-1')).toBeUndefined();
    clock.advanceSeconds(1);
    const failed = await waitFor('FAILED', () => failure('never-1'));
    expect(failed.status.reason).toBe('driver pod: not created within 90 s of the SparkApplication (state SUBMITTED)');
    expect(server.get(NS, 'never-1')).toBeUndefined();
    await settle();
    expect(failure('fine-1')).toBeUndefined();
    expect(server.get(NS, 'fine-1')).toBeDefined();
  });

  it('tries the deletion again when it fails, and only then reports the failure', async () => {
    await submitted('retry-1');
    server.inject({ method: 'DELETE', pathIncludes: '/sparkapplications/retry-1', status: 403, times: 1 });
    clock.advanceSeconds(LIMITS.driverPodCreationSeconds);
    const failed = await waitFor('FAILED', () => failure('retry-1'));
    expect(failed.status.reason).toMatch(/^driver pod: not created within 90 s/);
    expect(server.count('DELETE', '/sparkapplications/retry-1')).toBeGreaterThanOrEqual(2);
    expect(server.get(NS, 'retry-1')).toBeUndefined();
  });
});

describe('stuck starts of sessions', () => {
  const validator = loadCrdValidator(SPARK_CONNECT_CRD_FILE, 'v1alpha1');

  it("an image pull failure of a session's server pod ends it FAILED with the reason within the limit, and deletes the SparkConnect", async () => {
    await backend.submit(application('sess-1', 'session'), CONFIG);
    const connect = server.get(NS, 'sess-1') as unknown as {
      spec: { server: { template: { metadata: { labels: Record<string, string> } } } };
    };
    expect(validator.errors(connect)).toEqual([]);
    server.setStatus(NS, 'sess-1', { state: 'NotReady', server: { podName: 'sess-1-server' } });
    const scheduledAt = clock.now().toISOString();
    // as spark-operator makes it: the template's labels, then its own (spark-role=connect-server)
    server.setPod(NS, {
      metadata: {
        name: 'sess-1-server',
        labels: {
          ...connect.spec.server.template.metadata.labels,
          'spark-role': 'connect-server',
          'sparkoperator.k8s.io/launched-by-spark-operator': 'true',
        },
      },
      status: backingOff(scheduledAt, 'spark:nope'),
    });
    await settle();
    clock.advanceSeconds(LIMITS.imagePullSeconds - 1);
    await settle();
    expect(failure('sess-1')).toBeUndefined();
    expect(server.get(NS, 'sess-1')).toBeDefined();

    clock.advanceSeconds(1);
    const failed = await waitFor('FAILED', () => failure('sess-1'));
    expect(failed.status.reason).toBe('server pod: ImagePullBackOff: Back-off pulling image "spark:nope"');
    expect(Date.parse(failed.at) - Date.parse(scheduledAt)).toBe(LIMITS.imagePullSeconds * 1000);
    await waitFor('deleted', () => server.get(NS, 'sess-1') === undefined);
    expect(server.count('DELETE', 'sparkconnects/sess-1')).toBe(1);
    await settle();
    expect(seen.filter((s) => s.appId === 'sess-1' && s.status.state === 'FAILED')).toHaveLength(1);
  });
});

describe('batch schedulers', () => {
  const validator = loadCrdValidator(SPARK_APPLICATION_CRD_FILE, 'v1beta2');

  async function created(settings: KubernetesClusterSettingsInput, appId: string) {
    await backend.close();
    backend = makeBackend(settings);
    await backend.submit(application(appId), CONFIG);
    const resource = server.get(NS, appId)!;
    expect(validator.errors(resource)).toEqual([]);
    return resource as unknown as {
      metadata: { labels: Record<string, string> };
      spec: {
        batchScheduler?: string;
        batchSchedulerOptions?: Record<string, string>;
        driver: { annotations?: Record<string, string> };
      };
    };
  }

  it('Kueue: the queue label; the application waits SUSPENDED as PENDING, never failed as stuck', async () => {
    const resource = await created({ batchScheduler: { kind: 'kueue', queue: 'team-a' } }, 'kueue-1');
    expect(resource.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('team-a');
    expect(resource.spec.batchScheduler).toBeUndefined();
    server.setStatus(NS, 'kueue-1', { applicationState: { state: 'SUSPENDED' } });
    await settle();
    clock.advanceSeconds(3600);
    await settle();
    expect(seen.filter((s) => s.appId === 'kueue-1').map((s) => s.status.state)).toEqual(['PENDING']);
    expect(server.get(NS, 'kueue-1')).toBeDefined();
    expect(backend.capacity()).toBeUndefined();
  });

  it('YuniKorn: queue and task groups; an unschedulable pod waits in its queue', async () => {
    const resource = await created({ batchScheduler: { kind: 'yunikorn', queue: 'root.spark' } }, 'yk-1');
    expect(resource.spec.batchScheduler).toBe('yunikorn');
    expect(resource.spec.batchSchedulerOptions).toEqual({ queue: 'root.spark' });
    const groups = JSON.parse(resource.spec.driver.annotations!['yunikorn.apache.org/task-groups']!) as {
      name: string;
      minMember: number;
    }[];
    expect(groups.map((g) => [g.name, g.minMember])).toEqual([
      ['spark-driver', 1],
      ['spark-executor', 2],
    ]);
    await driverPod('yk-1', {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: 'queue root.spark is full',
          lastTransitionTime: clock.now().toISOString(),
        },
      ],
    });
    clock.advanceSeconds(LIMITS.unschedulableSeconds * 10);
    await settle();
    expect(failure('yk-1')).toBeUndefined();
  });

  it('Volcano: queue and priority class for the PodGroup; a declared capacity still refuses what never fits', async () => {
    const settings: KubernetesClusterSettingsInput = {
      batchScheduler: { kind: 'volcano', queue: 'etl', priorityClassName: 'batch-high' },
      capacity: { cores: 8, memory: '64Gi' },
    };
    const resource = await created(settings, 'vc-1');
    expect(resource.spec.batchScheduler).toBe('volcano');
    expect(resource.spec.batchSchedulerOptions).toEqual({ queue: 'etl', priorityClassName: 'batch-high' });
    // the planner does not hold for capacity: Volcano does
    expect(backend.capacity()).toBeUndefined();
    const tooBig: ApplicationConfig = { ...CONFIG, executor: { instances: 2, cores: 16 } };
    const issues = await backend.problems(application('vc-2'), tooBig);
    expect(issues.map((i) => i.path)).toEqual(['config.executor.cores']);
    expect(issues[0]!.message).toMatch(/^config\.executor\.cores: 16 cores is more than cluster dev holds 8 cores/);
  });
});
