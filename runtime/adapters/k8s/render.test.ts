import { describe, expect, it } from 'vitest';
import { loadCrdValidator, SPARK_APPLICATION_CRD_FILE } from '../../../test/support/k8s-crd-validator';
import type { ApplicationConfig } from '../../domain/config';
import { DomainError } from '../../domain/errors';
import { DO_NOT_DISRUPT_ANNOTATION, NODE_LABELS, ROLE_LABEL, SPARK_TAINT } from '../../domain/placement';
import { KubernetesClusterSettings, type KubernetesClusterSettingsInput } from './cluster-settings';
import { emittablePlacements, SAFE_TO_EVICT_ANNOTATION } from './node-placement';
import type { TaskGroup } from './batch-scheduler';
import { eventLogDir, renderSparkApplication } from './render';
import type { SparkApplication, SparkPodSpec } from './spark-application';

const validator = loadCrdValidator(SPARK_APPLICATION_CRD_FILE, 'v1beta2');

/** What every application's driver gets: its UI under the runtime's proxy (see domain/spark-ui.ts). */
const UI_CONF = {
  'spark.ui.proxyBase': '/api/v1/applications/etl-2026-01-01/spark-ui',
  'spark.ui.reverseProxy': 'false',
  'spark.ui.killEnabled': 'false',
};

const PYTHON: ApplicationConfig = {
  type: 'Python',
  mainApplicationFile: 's3a://code/etl.py',
  arguments: ['--day', '2026-01-01'],
};

function render(config: ApplicationConfig, settings: KubernetesClusterSettingsInput = {}, appId = 'etl-2026-01-01') {
  return renderSparkApplication(config, {
    appId,
    jobId: 'daily-etl',
    clusterId: 'prod-eu',
    settings: KubernetesClusterSettings.parse(settings),
  });
}

const MATRIX: Record<string, { config: ApplicationConfig; settings?: KubernetesClusterSettingsInput }> = {
  'python, defaults, karpenter, no bucket': { config: PYTHON },
  'scala with deps, confs and s3a event logs': {
    settings: { eventLogBucketUrl: 's3a://logs-bucket/spark/', namespace: 'team-a' },
    config: {
      type: 'Scala',
      sparkVersion: '3.5.3',
      image: 'registry.example.com/spark:3.5.3',
      imagePullPolicy: 'IfNotPresent',
      imagePullSecrets: ['registry'],
      mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
      mainClass: 'org.apache.spark.examples.SparkPi',
      arguments: ['1000'],
      deps: { jars: ['s3a://code/lib.jar'], packages: ['org.apache.hadoop:hadoop-aws:3.3.4'], files: [] },
      sparkConf: { 'spark.sql.shuffle.partitions': '64', 'spark.eventLog.dir': 'file:///tmp/mine' },
      hadoopConf: { 'fs.s3a.aws.credentials.provider': 'com.amazonaws.auth.WebIdentityTokenCredentialsProvider' },
      memoryOverheadFactor: 0.2,
      timeToLiveSeconds: 600,
      labels: { team: 'data-eng' },
    },
  },
  'java with every pod field, volumes and secrets': {
    config: {
      type: 'Java',
      mainApplicationFile: 's3a://code/app.jar',
      mainClass: 'com.example.Main',
      sparkConfigMap: 'spark-conf',
      hadoopConfigMap: 'hadoop-conf',
      volumes: [
        { name: 'scratch', emptyDir: { sizeLimit: '10Gi' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      ],
      driver: {
        cores: 2,
        coreRequest: '0.5',
        coreLimit: '2000m',
        memory: '8Gi',
        memoryOverhead: '1g',
        javaOptions: '-XX:+UseG1GC',
        podName: 'etl-driver',
        envVars: { MODE: 'batch' },
        envSecretKeyRefs: { DB_PASSWORD: { name: 'db', key: 'password' } },
        secrets: [{ name: 'gcp-key', path: '/mnt/secrets' }],
        configMaps: [{ name: 'extra', path: '/etc/extra' }],
        labels: { tier: 'gold' },
        annotations: { 'example.com/owner': 'me' },
        hostAliases: [{ ip: '10.0.0.1', hostnames: ['db.internal'] }],
        podSecurityContext: { runAsUser: 185, fsGroup: 185 },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'etl', effect: 'NoSchedule' }],
      },
      executor: {
        cores: 3,
        instances: 10,
        memory: '12g',
        memoryOverhead: '2048m',
        image: 'registry.example.com/spark-executor:4.0.1',
        volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a'] }] },
              ],
            },
          },
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 50,
                podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { a: 'b' } } },
              },
            ],
          },
        },
        instanceAllowList: ['m5', 'r5.2xlarge'],
      },
    },
  },
  'spot driver, on-demand executors, allow-list of families': {
    config: {
      ...PYTHON,
      driver: { spot: true, instanceAllowList: ['m5', 'm6i'] },
      executor: { spot: false, instanceAllowList: ['c5'] },
    },
  },
  'allow-list of types and a single instance type': {
    config: {
      ...PYTHON,
      driver: { instanceType: 'm5.large' },
      executor: { instanceAllowList: ['m5.xlarge', 'm5.2xlarge'] },
    },
  },
  'dynamic allocation': {
    config: {
      ...PYTHON,
      sparkConf: {
        'spark.dynamicAllocation.enabled': 'true',
        'spark.dynamicAllocation.minExecutors': '1',
        'spark.dynamicAllocation.maxExecutors': '20',
        'spark.dynamicAllocation.initialExecutors': '2',
        'spark.dynamicAllocation.shuffleTracking.timeout': '5min',
        'spark.dynamicAllocation.executorIdleTimeout': '60s',
      },
    },
  },
  'volcano queue': {
    settings: { batchScheduler: { kind: 'volcano', queue: 'etl', priorityClassName: 'batch-high' } },
    config: PYTHON,
  },
  'yunikorn queue and task groups': {
    settings: { batchScheduler: { kind: 'yunikorn', queue: 'root.spark', priorityClassName: 'batch-high' } },
    config: { ...PYTHON, executor: { instances: 3, cores: 2, memory: '4g' } },
  },
  'kueue queue': {
    settings: { batchScheduler: { kind: 'kueue', queue: 'team-a', priorityClassName: 'nightly' } },
    config: PYTHON,
  },
  'gke with gs event logs and allow-lists': {
    settings: {
      autoscaler: 'gke',
      eventLogBucketUrl: 'gs://logs',
      serviceAccount: 'spark',
      executorServiceAccount: 'spark-exec',
    },
    config: { ...PYTHON, executor: { instanceAllowList: ['n2', 'n2d-standard-8'] } },
  },
};

describe('renderSparkApplication', () => {
  for (const [name, { config, settings }] of Object.entries(MATRIX)) {
    it(`renders a resource valid against the spark-operator CRD: ${name}`, () => {
      const app = render(config, settings);
      expect(validator.errors(app)).toEqual([]);
      expect(app).toMatchSnapshot();
    });
  }

  it('the CRD check is not vacuous: it rejects unknown fields, wrong types and bad label values', () => {
    const app = render(PYTHON);
    const broken = structuredClone(app) as unknown as {
      spec: Record<string, unknown> & { driver: Record<string, unknown> };
    };
    broken.spec.driver.memoryMiB = 1024;
    broken.spec.driver.cores = '1';
    broken.spec.type = 'Go';
    const errors = validator.errors({ ...broken, metadata: { name: 'x', labels: { a: 'not ok!' } } });
    expect(errors.join('\n')).toContain('memoryMiB');
    expect(errors.join('\n')).toContain('/spec/driver/cores');
    expect(errors.join('\n')).toContain('/spec/type');
    expect(errors.join('\n')).toContain('not a label value');
  });

  it('places the driver on on-demand capacity, not to be disrupted, and executors on spot by default', () => {
    const { spec, metadata } = render(PYTHON);
    const karpenter = NODE_LABELS.karpenter;
    expect(spec.driver.nodeSelector).toEqual({ [ROLE_LABEL]: 'driver', [karpenter.capacityType]: 'on-demand' });
    expect(spec.driver.annotations).toEqual({ [DO_NOT_DISRUPT_ANNOTATION]: 'true' });
    expect(spec.executor.nodeSelector).toEqual({ [ROLE_LABEL]: 'executor', [karpenter.capacityType]: 'spot' });
    expect(spec.executor.annotations).toBeUndefined();
    const spark = { key: SPARK_TAINT.key, operator: 'Equal', value: SPARK_TAINT.value, effect: SPARK_TAINT.effect };
    expect(spec.driver.tolerations).toEqual([spark]);
    expect(spec.executor.tolerations).toEqual([spark]);
    expect(spec.restartPolicy).toEqual({ type: 'Never' });
    expect(metadata).toMatchObject({ name: 'etl-2026-01-01', namespace: 'spark-apps' });
    expect(metadata.labels).toMatchObject({
      'sparkplane.io/app-id': 'etl-2026-01-01',
      'sparkplane.io/job-id': 'daily-etl',
      'sparkplane.io/cluster-id': 'prod-eu',
    });
    expect(spec.driver.labels).toMatchObject({ 'sparkplane.io/app-id': 'etl-2026-01-01' });
    expect(spec).toMatchObject({
      type: 'Python',
      pythonVersion: '3',
      sparkVersion: '4.0.1',
      image: 'apache/spark:4.0.1-python3',
    });
    expect(spec.executor).toMatchObject({ cores: 4, instances: 6, memory: '8192m' });
    expect(spec.driver).toMatchObject({ cores: 1, memory: '2048m', serviceAccount: 'spark-driver' });
  });

  it('follows spot: true|false per role', () => {
    const { spec } = render(MATRIX['spot driver, on-demand executors, allow-list of families']!.config);
    expect(spec.driver.nodeSelector?.['karpenter.sh/capacity-type']).toBe('spot');
    expect(spec.executor.nodeSelector?.['karpenter.sh/capacity-type']).toBe('on-demand');
  });

  it('maps families and types of the allow-list to node affinity terms, ORed', () => {
    const terms = (pod: SparkPodSpec) =>
      pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    const families = render(MATRIX['spot driver, on-demand executors, allow-list of families']!.config).spec;
    expect(terms(families.driver)).toEqual([
      { matchExpressions: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m5', 'm6i'] }] },
    ]);
    const types = render(MATRIX['allow-list of types and a single instance type']!.config).spec;
    expect(terms(types.driver)).toEqual([
      { matchExpressions: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large'] }] },
    ]);
    const gke = render(MATRIX['gke with gs event logs and allow-lists']!.config, { autoscaler: 'gke' }).spec;
    expect(terms(gke.executor)).toEqual([
      { matchExpressions: [{ key: 'cloud.google.com/machine-family', operator: 'In', values: ['n2'] }] },
      { matchExpressions: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['n2d-standard-8'] }] },
    ]);
    // GKE pods select a ComputeClass (spot first, on-demand fallback), never a hard spot label
    expect(gke.executor.nodeSelector).toEqual({
      [ROLE_LABEL]: 'executor',
      'cloud.google.com/compute-class': 'spark-executor',
    });
    expect(gke.driver.nodeSelector).toEqual({
      [ROLE_LABEL]: 'driver',
      'cloud.google.com/compute-class': 'spark-driver',
    });
    expect(gke.executor.tolerations).toContainEqual({
      key: 'cloud.google.com/compute-class',
      operator: 'Equal',
      value: 'spark-executor',
      effect: 'NoSchedule',
    });
    expect(gke.driver.annotations).toEqual({ [SAFE_TO_EVICT_ANNOTATION]: 'false' });
  });

  it("ANDs the allow-list with the user's own node affinity and keeps the rest of the affinity", () => {
    const { spec } = render(MATRIX['java with every pod field, volumes and secrets']!.config);
    const zone = { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a'] };
    expect(
      spec.executor.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    ).toEqual([
      { matchExpressions: [zone, { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m5'] }] },
      { matchExpressions: [zone, { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['r5.2xlarge'] }] },
    ]);
    expect(spec.executor.affinity?.podAntiAffinity).toBeDefined();
  });

  it('normalises quantities and renders env, secret refs and secrets', () => {
    const { spec } = render(MATRIX['java with every pod field, volumes and secrets']!.config);
    expect(spec.driver).toMatchObject({
      coreRequest: '500m',
      coreLimit: '2',
      memory: '8192m',
      memoryOverhead: '1024m',
    });
    expect(spec.executor).toMatchObject({ memory: '12288m', memoryOverhead: '2048m', instances: 10 });
    expect(spec.driver.env).toEqual([
      { name: 'MODE', value: 'batch' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    ]);
    expect(spec.driver.secrets).toEqual([{ name: 'gcp-key', path: '/mnt/secrets', secretType: 'Generic' }]);
    expect(spec.driver.tolerations?.map((t) => t.key)).toEqual([SPARK_TAINT.key, 'dedicated']);
  });

  it("sends event logs to the cluster's bucket with stage executor metrics, over the application's own dir", () => {
    const { spec } = render(MATRIX['scala with deps, confs and s3a event logs']!.config, {
      eventLogBucketUrl: 's3a://logs-bucket/spark/',
    });
    expect(spec.sparkConf).toMatchObject({
      'spark.eventLog.enabled': 'true',
      // one directory for every run, the one the History Server lists; rolling: one directory per run
      'spark.eventLog.dir': 's3a://logs-bucket/spark/eventlogs',
      'spark.eventLog.rolling.enabled': 'true',
      'spark.eventLog.logStageExecutorMetrics': 'true',
      'spark.sql.shuffle.partitions': '64',
    });
    expect(spec.deps).toEqual({ jars: ['s3a://code/lib.jar'], packages: ['org.apache.hadoop:hadoop-aws:3.3.4'] });
    expect(spec.memoryOverheadFactor).toBe('0.2');
    expect(Object.keys(render(PYTHON).spec.sparkConf ?? {}).filter((key) => key.startsWith('spark.eventLog'))).toEqual(
      [],
    );
    expect(eventLogDir(KubernetesClusterSettings.parse({ eventLogBucketUrl: 'gs://b/' }), 'spark-0a1')).toBe(
      'gs://b/eventlogs/eventlog_v2_spark-0a1',
    );
  });

  it('moves dynamic allocation from sparkConf to spec.dynamicAllocation and leaves instances unset', () => {
    const { spec } = render(MATRIX['dynamic allocation']!.config);
    expect(spec.dynamicAllocation).toEqual({
      enabled: true,
      initialExecutors: 2,
      minExecutors: 1,
      maxExecutors: 20,
      shuffleTrackingEnabled: true,
      shuffleTrackingTimeout: 300_000,
    });
    expect(spec.sparkConf).toEqual({ 'spark.dynamicAllocation.executorIdleTimeout': '60s', ...UI_CONF });
    expect(spec.executor.instances).toBeUndefined();
  });

  it("serves the driver's UI under the runtime's proxy path, without kill links, whatever the application asked", () => {
    const { spec } = render({
      ...PYTHON,
      sparkConf: { 'spark.ui.killEnabled': 'true', 'spark.ui.proxyBase': '/elsewhere', 'spark.ui.port': '4041' },
    });
    expect(spec.sparkConf).toEqual({ ...UI_CONF, 'spark.ui.port': '4041' });
  });

  it('hands Volcano the queue and priority class, for the PodGroup spark-operator makes', () => {
    const { spec } = render(PYTHON, {
      batchScheduler: { kind: 'volcano', queue: 'etl', priorityClassName: 'batch-high' },
    });
    expect(spec.batchScheduler).toBe('volcano');
    expect(spec.batchSchedulerOptions).toEqual({ queue: 'etl', priorityClassName: 'batch-high' });
    expect(render(PYTHON).spec.batchScheduler).toBeUndefined();
  });

  it('hands YuniKorn its queue and the gang as task groups: the driver, and minMember = the initial executors', () => {
    const { spec } = render(
      {
        ...PYTHON,
        driver: { cores: 1, memory: '2g' },
        executor: { cores: 2, memory: '4g', memoryOverhead: '1g', instances: 3 },
      },
      { batchScheduler: { kind: 'yunikorn', queue: 'root.spark', priorityClassName: 'batch-high' } },
    );
    expect(spec.batchScheduler).toBe('yunikorn');
    expect(spec.batchSchedulerOptions).toEqual({ queue: 'root.spark' });
    expect(spec.driver.priorityClassName).toBe('batch-high');
    expect(spec.executor.annotations?.['yunikorn.apache.org/task-group-name']).toBe('spark-executor');
    expect(spec.driver.annotations?.['yunikorn.apache.org/task-group-name']).toBe('spark-driver');
    const groups = JSON.parse(spec.driver.annotations!['yunikorn.apache.org/task-groups']!) as TaskGroup[];
    expect(groups.map((g) => [g.name, g.minMember, g.minResource])).toEqual([
      // a Python driver: 2048 MiB heap and 0.4 of it (819.2, rounded up) as overhead
      ['spark-driver', 1, { cpu: '1000m', memory: '2868Mi' }],
      ['spark-executor', 3, { cpu: '2000m', memory: '5120Mi' }],
    ]);
    // the placeholders land where the pods will: the same node selector and tolerations
    expect(groups[1]!.nodeSelector).toEqual(spec.executor.nodeSelector);
    expect(groups[1]!.tolerations).toEqual(spec.executor.tolerations);
  });

  it('reserves only the driver for YuniKorn when dynamic allocation starts without executors', () => {
    const { spec } = render(
      {
        ...PYTHON,
        sparkConf: { 'spark.dynamicAllocation.enabled': 'true', 'spark.dynamicAllocation.maxExecutors': '9' },
      },
      { batchScheduler: { kind: 'yunikorn', queue: 'root.spark' } },
    );
    const groups = JSON.parse(spec.driver.annotations!['yunikorn.apache.org/task-groups']!) as TaskGroup[];
    expect(groups.map((g) => g.name)).toEqual(['spark-driver']);
  });

  it("labels the SparkApplication with Kueue's queue and priority class, and refuses dynamic allocation Kueue cannot admit", () => {
    const app = render(PYTHON, { batchScheduler: { kind: 'kueue', queue: 'team-a', priorityClassName: 'nightly' } });
    expect(app.metadata.labels).toMatchObject({
      'kueue.x-k8s.io/queue-name': 'team-a',
      'kueue.x-k8s.io/priority-class': 'nightly',
    });
    expect(app.spec.batchScheduler).toBeUndefined();
    const dynamic = () =>
      render(
        { ...PYTHON, sparkConf: { 'spark.dynamicAllocation.enabled': 'true' } },
        { batchScheduler: { kind: 'kueue', queue: 'team-a' } },
      );
    expect(dynamic).toThrow(DomainError);
    expect(dynamic).toThrow(/^sparkConf\.spark\.dynamicAllocation\.enabled: "true" cannot run on this cluster: Kueue/);
  });

  it('rejects configs it cannot run, naming the field and the value', () => {
    const message = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).code).toBe('VALIDATION_FAILED');
        return (error as Error).message;
      }
      throw new Error('expected a validation error');
    };
    expect(message(() => render({ type: 'Python' }))).toMatch(/^mainApplicationFile: is required/);
    expect(message(() => render({ mainApplicationFile: 's3a://x/run.sh' }))).toMatch(/^type: is required .*run\.sh/);
    expect(message(() => render(PYTHON, {}, 'Bad_Id'))).toContain('appId: "Bad_Id" is not a DNS label');
    expect(message(() => render({ ...PYTHON, executor: { instanceAllowList: ['m5', 'm5 large'] } }))).toContain(
      'executor.instanceAllowList[1]: "m5 large"',
    );
    expect(render({ mainApplicationFile: 's3a://x/app.jar' }).spec.type).toBe('Scala');
  });

  it('emits only nodeSelectors and tolerations listed by emittablePlacements', () => {
    for (const { config, settings } of Object.values(MATRIX)) {
      const app: SparkApplication = render(config, settings);
      const autoscaler = KubernetesClusterSettings.parse(settings ?? {}).autoscaler;
      const listed = emittablePlacements(autoscaler);
      for (const role of ['driver', 'executor'] as const) {
        const pod = app.spec[role];
        const match = listed.find(
          (p) => p.role === role && JSON.stringify(p.nodeSelector) === JSON.stringify(pod.nodeSelector),
        );
        expect(match, `${role} nodeSelector ${JSON.stringify(pod.nodeSelector)}`).toBeDefined();
        for (const toleration of match!.tolerations) expect(pod.tolerations).toContainEqual(toleration);
        const keys = (
          pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []
        )
          .flatMap((t) => t.matchExpressions ?? [])
          .map((e) => e.key)
          .filter((k) => k !== 'topology.kubernetes.io/zone');
        for (const key of keys) expect(match!.affinityLabelKeys).toContain(key);
      }
    }
    expect(emittablePlacements('karpenter')).toHaveLength(4);
  });
});
