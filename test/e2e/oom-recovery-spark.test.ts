/**
 * Out-of-memory recovery end to end on real Spark: a driver that holds more than its 512m heap
 * can (600 MiB) dies of java.lang.OutOfMemoryError; under restartPolicy OnFailure with strategy oomRecovery
 * its failure is recorded as the driver's out-of-memory, and its retry (attempt 2, retryOf the
 * first) runs with double the memory and completes. The job's next run starts with that memory.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import type { Page } from '../../runtime/domain/common';
import { sparkEnv, waitFor, writeScript } from '../support/spark';
import { call, type Service, startService, waitForEnd } from './service-fixture';

sparkEnv();

let service: Service;
let first: Application;
let retry: Application;
let next: Application;

beforeAll(async () => {
  service = await startService({ localSettings: { capacity: { cores: 2, memory: '8g' } } });
  const script = writeScript(
    join(service.dataDir, 'scripts'),
    'hold_600m.py',
    [
      'from pyspark.sql import SparkSession',
      'spark = SparkSession.builder.getOrCreate()',
      '# 600 MiB held in the driver JVM in 4 MiB arrays (as a large collect or broadcast holds it):',
      '# more than a 512m heap holds, well within 1g',
      'jvm = spark.sparkContext._jvm',
      'held = jvm.java.util.ArrayList()',
      'for _ in range(150):',
      '    held.add(jvm.java.lang.reflect.Array.newInstance(jvm.java.lang.Byte.TYPE, 4 * 1024 * 1024))',
      'print(spark.range(1000).count(), held.size())',
    ].join('\n'),
  );
  const configOverrides = {
    type: 'Python',
    mainApplicationFile: script,
    driver: { cores: 1, memory: '512m' },
    executor: { instances: 0, strategy: 'oomRecovery' },
    restartPolicy: { type: 'OnFailure', onFailureRetries: 1, onFailureRetryIntervalSeconds: 0 },
  };
  const submitted = await call<Application>(service.url, 'POST', '/api/v1/applications', {
    body: { clusterId: 'local', jobId: 'oom-collect', configOverrides },
  });
  expect(submitted.status, submitted.text).toBe(201);
  first = await waitForEnd(service.url, submitted.body.id);
  const retryId = await waitFor(
    'the retry of the out-of-memory run',
    async () => {
      const page = await call<Page<Application>>(service.url, 'GET', `/api/v1/applications?retryOf=${first.id}`);
      return page.body.items[0]?.id;
    },
    60_000,
  );
  retry = await waitForEnd(service.url, retryId);
  first = (await call<Application>(service.url, 'GET', `/api/v1/applications/${first.id}`)).body;
  // the job's next run, asking for 512m again
  const again = await call<Application>(service.url, 'POST', '/api/v1/applications', {
    body: {
      clusterId: 'local',
      jobId: 'oom-collect',
      configOverrides: { ...configOverrides, restartPolicy: { type: 'Never' } },
    },
  });
  expect(again.status, again.text).toBe(201);
  next = await waitForEnd(service.url, again.body.id);
}, 600_000);

afterAll(async () => {
  await service?.close();
});

describe('out-of-memory recovery on real Spark', () => {
  it('recorded the first run as the driver running out of memory', () => {
    expect(first.state).toBe('FAILED');
    expect(first.failure).toMatchObject({ kind: 'outOfMemory', component: 'driver' });
    expect(first.failure?.evidence).toMatch(/java\.lang\.OutOfMemoryError/);
  });

  it('retried it as attempt 2 with double the driver memory, which completed', () => {
    expect(retry).toMatchObject({ attempt: 2, retryOf: first.id, state: 'COMPLETED' });
    expect(retry.config.driver?.memory).toBe('1024m');
    expect(retry.memoryRecovery?.reason).toMatch(
      new RegExp(`^driver memory 512m -> 1g: ${first.id} ran out of memory`),
    );
  });

  it("started the job's next run with the memory that worked", () => {
    expect(next.config.driver?.memory).toBe('1024m');
    expect(next.provenance['/driver/memory']).toBe('tuning');
    expect(next.state, next.stateReason).toBe('COMPLETED');
  });
});
