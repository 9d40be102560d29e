import { describe, expect, it } from 'vitest';
import { ApplicationConfig, priorityOf } from './config';
import { DomainError } from './errors';
import { JobSpec, SubmitRequest } from './resources';
import { parseOrThrow } from './validation';

function messagesOf(schema: Parameters<typeof parseOrThrow>[0], input: unknown): string[] {
  try {
    parseOrThrow(schema, input);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('VALIDATION_FAILED');
    return (error as DomainError).issues.map((issue) => issue.message);
  }
  throw new Error('expected a validation error');
}

describe('application config', () => {
  it('accepts every field of the Ocean Spark submission config', () => {
    const config = {
      type: 'Python',
      sparkVersion: '4.0.1',
      image: 'spark:4.0.1',
      imagePullPolicy: 'IfNotPresent',
      imagePullSecrets: ['registry'],
      mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py',
      mainClass: 'org.apache.spark.examples.SparkPi',
      arguments: ['100'],
      pythonVersion: '3',
      deps: { jars: ['a.jar'], files: ['f'], pyFiles: ['p.py'], packages: ['g:a:1'], repositories: ['https://repo'] },
      sparkConf: { 'spark.sql.shuffle.partitions': '64' },
      hadoopConf: { 'fs.s3a.fast.upload': 'true' },
      sparkConfigMap: 'spark-conf',
      hadoopConfigMap: 'hadoop-conf',
      memoryOverheadFactor: '0.2',
      timeToLiveSeconds: 3600,
      timeout: { minutes: 120, policy: 'KILL' },
      volumes: [{ name: 'scratch', emptyDir: {} }],
      labels: { team: 'data' },
      shuffle: { enabled: true, rootDir: '/shuffle' },
      driver: {
        cores: 1,
        coreRequest: '500m',
        coreLimit: '1',
        memory: '2g',
        memoryOverhead: '512m',
        javaOptions: '-XX:+UseG1GC',
        instanceType: 'm5.xlarge',
        instanceAllowList: ['m5'],
        spot: false,
        affinity: { nodeAffinity: {} },
        tolerations: [{ key: 'spark', operator: 'Exists', effect: 'NoSchedule' }],
        hostAliases: [{ ip: '10.0.0.1', hostnames: ['db'] }],
        envVars: { A: 'b' },
        envSecretKeyRefs: { PASSWORD: { name: 'db', key: 'password' } },
        secrets: [{ name: 's', path: '/s', secretType: 'Generic' }],
        configMaps: [{ name: 'c', path: '/c' }],
        labels: { l: 'v' },
        annotations: { a: 'v' },
        image: 'spark:driver',
        podSecurityContext: { runAsUser: 185 },
        securityContext: { readOnlyRootFilesystem: true },
        volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
        podName: 'driver-pod',
      },
      executor: { cores: 4, memory: '8Gi', instances: 6, spot: true, strategy: 'autotuning' },
    };
    expect(parseOrThrow(ApplicationConfig, config)).toMatchObject(config);
  });

  it('names the field, the value and the expected form of a bad memory quantity', () => {
    expect(messagesOf(ApplicationConfig, { executor: { memory: '8gigs' } })).toEqual([
      'executor.memory: "8gigs" is not a Kubernetes quantity such as "8g" or "8192m"',
    ]);
  });

  it('names a bad CPU quantity', () => {
    expect(messagesOf(ApplicationConfig, { driver: { coreLimit: '1 core' } })).toEqual([
      'driver.coreLimit: "1 core" is not a CPU quantity such as "1", "0.5" or "3460m"',
    ]);
  });

  it('takes an admission priority, 0 unless given, and names a bad one with its bounds', () => {
    expect(priorityOf(ApplicationConfig.parse({}))).toBe(0);
    expect(priorityOf(ApplicationConfig.parse({ priority: -5 }))).toBe(-5);
    expect(messagesOf(ApplicationConfig, { priority: 1.5 })).toEqual(['priority: 1.5 is not an integer']);
    expect(messagesOf(ApplicationConfig, { priority: 5000 })).toEqual(['priority: 5000 is too big: expected <= 1000']);
    expect(messagesOf(ApplicationConfig, { priority: 'high' })).toEqual(['priority: "high" is not a number']);
  });

  it('rejects unknown fields by name, so typos are not silently ignored', () => {
    expect(messagesOf(ApplicationConfig, { executor: { memroy: '8g' } })).toEqual(['executor: unknown field "memroy"']);
  });

  it('reports every issue of a body, with types and enums', () => {
    const messages = messagesOf(ApplicationConfig, {
      type: 'Rust',
      executor: { instances: -1, cores: 'four' },
      timeout: { minutes: 0 },
    });
    expect(messages).toEqual(
      expect.arrayContaining([
        'type: "Rust" is not one of "Java", "Scala", "Python"',
        'executor.instances: -1 is too small: expected >= 0',
        'executor.cores: "four" is not a number',
        'timeout.minutes: 0 is too small: expected > 0',
      ]),
    );
    expect(messagesOf(ApplicationConfig, { timeout: 'NEVER' })).toEqual([
      'timeout: "NEVER" is neither "DISABLED" nor {"minutes": <whole minutes>, "policy": "KILL"}',
    ]);
  });

  it('names sparkConf keys that contain dots with brackets', () => {
    expect(messagesOf(ApplicationConfig, { sparkConf: { 'spark.executor.cores': 4 } })).toEqual([
      'sparkConf["spark.executor.cores"]: 4 is not a string',
    ]);
  });

  it('accepts the disabled timeout and defaults the timeout policy to KILL', () => {
    expect(parseOrThrow(ApplicationConfig, { timeout: 'DISABLED' }).timeout).toBe('DISABLED');
    expect(parseOrThrow(ApplicationConfig, { timeout: { minutes: 5 } }).timeout).toEqual({
      minutes: 5,
      policy: 'KILL',
    });
  });
});

describe('submissions and jobs', () => {
  it('requires a job id and checks id syntax', () => {
    expect(messagesOf(SubmitRequest, {})).toEqual(['jobId: is required: expected a string']);
    expect(messagesOf(SubmitRequest, { jobId: 'Daily ETL' })[0]).toMatch(
      /^jobId: "Daily ETL" is not an id of lowercase/,
    );
  });

  it('fills job defaults: tuning on for cost, concurrency Allow', () => {
    const job = parseOrThrow(JobSpec, { id: 'daily-etl', clusterId: 'local' });
    expect(job.tuning).toEqual({ mode: 'auto', objective: 'cost' });
    expect(job.concurrencyPolicy).toBe('Allow');
    expect(job.config).toEqual({});
  });
});
