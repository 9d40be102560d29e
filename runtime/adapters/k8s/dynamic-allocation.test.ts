import { describe, expect, it } from 'vitest';
import { extractDynamicAllocation, parseSparkDurationMs } from './dynamic-allocation';

describe('extractDynamicAllocation', () => {
  it('leaves sparkConf alone when dynamic allocation is not enabled', () => {
    const conf = { 'spark.dynamicAllocation.enabled': 'false', 'spark.dynamicAllocation.maxExecutors': '5' };
    expect(extractDynamicAllocation(conf)).toEqual({ sparkConf: conf });
  });

  it('keeps in sparkConf what it cannot map, and honours shuffle tracking turned off', () => {
    expect(
      extractDynamicAllocation({
        'spark.dynamicAllocation.enabled': ' TRUE ',
        'spark.dynamicAllocation.maxExecutors': 'many',
        'spark.dynamicAllocation.shuffleTracking.enabled': 'false',
        'spark.dynamicAllocation.shuffleTracking.timeout': 'soon',
      }),
    ).toEqual({
      sparkConf: {
        'spark.dynamicAllocation.maxExecutors': 'many',
        'spark.dynamicAllocation.shuffleTracking.timeout': 'soon',
      },
      dynamicAllocation: { enabled: true, shuffleTrackingEnabled: false },
    });
  });

  it('reads Spark durations in milliseconds', () => {
    expect(['30000', '45s', '5min', '2m', '1h', '1d', 'x'].map(parseSparkDurationMs)).toEqual([
      30_000,
      45_000,
      300_000,
      120_000,
      3_600_000,
      86_400_000,
      undefined,
    ]);
  });
});
