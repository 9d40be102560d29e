import { describe, expect, it } from 'vitest';
import { configRows } from './config-rows';

describe('configRows', () => {
  it('gives every leaf its pointer, source and the tuner reason; arrays and empty maps are one value', () => {
    const rows = configRows(
      {
        config: {
          executor: { memory: '5g', instances: 2 },
          arguments: ['--date', '2026-12-01'],
          sparkConf: { 'spark.a/b': '1' },
          labels: {},
          timeout: { minutes: 1440, policy: 'KILL' },
        },
        provenance: {
          '/executor/memory': 'tuning',
          '/executor/instances': 'overrides',
          '/arguments': 'job',
          '/sparkConf/spark.a~1b': 'template',
          '/labels': 'job',
        },
      },
      [{ pointer: '/executor/memory', from: '8g', to: '5g', reason: 'peak JVM 3.1 GiB' }],
    );
    expect(rows.map((r) => [r.pointer, r.source, r.reason ?? null])).toEqual([
      ['/executor/memory', 'tuning', 'peak JVM 3.1 GiB'],
      ['/executor/instances', 'overrides', null],
      ['/arguments', 'job', null],
      ['/sparkConf/spark.a~1b', 'template', null],
      ['/labels', 'job', null],
      ['/timeout/minutes', 'default', null],
      ['/timeout/policy', 'default', null],
    ]);
    expect(rows.find((r) => r.pointer === '/arguments')?.value).toEqual(['--date', '2026-12-01']);
    expect(rows.find((r) => r.pointer === '/sparkConf/spark.a~1b')?.key).toBe('sparkConf.spark.a/b');
  });
});
