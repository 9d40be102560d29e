import { describe, expect, it } from 'vitest';
import { formatConfigValue, formatMoney, formatNodes, formatNumber, wrap } from './format';

describe('formatNodes', () => {
  it('says how many nodes are Ready, of how many when some are not, and a dash when unknown', () => {
    expect(formatNodes({ total: 3, ready: 3 })).toBe('3 Ready');
    expect(formatNodes({ total: 3, ready: 2 })).toBe('2 of 3 Ready');
    expect(formatNodes({ total: 0, ready: 0 })).toBe('0 Ready');
    expect(formatNodes(undefined)).toBe('—');
  });
});

describe('wrap', () => {
  it('keeps every character of a long stage name, in lines no longer than the width', () => {
    const name = 'Stage 3.0: parquet at NativeMethodAccessorImpl.java:0 ' + 'x'.repeat(130) + ' tail';
    const lines = wrap(name, 40);
    expect(lines.every((l) => l.length <= 40)).toBe(true);
    // nothing is lost: the same characters, spaces aside
    expect(lines.join('').replace(/ /g, '')).toBe(name.replace(/ /g, ''));
    expect(lines[0]).toBe('Stage 3.0: parquet at');
    expect(wrap('short')).toEqual(['short']);
  });
});

describe('formatMoney and formatNumber', () => {
  it('never show a signed zero for an amount that rounds to nothing', () => {
    expect(formatMoney(-0.00001)).not.toContain('-');
    expect(formatMoney(-0.00001)).toContain('0.0000');
    expect(formatNumber(-0.0001, 3)).toBe('0');
    expect(formatNumber(-0.25, 1)).toContain('-');
    expect(formatMoney(-1.5)).toContain('1.50');
    expect(formatMoney(-1.5)).toMatch(/-/);
  });
});

describe('formatConfigValue', () => {
  it('writes the byte counts of Spark size keys in binary units, and every other value as it is', () => {
    expect(formatConfigValue('/sparkConf/spark.sql.autoBroadcastJoinThreshold', '1073741824')).toBe('1.0 GiB');
    expect(formatConfigValue('/sparkConf/spark.sql.adaptive.advisoryPartitionSizeInBytes', 67108864)).toBe('64.0 MiB');
    // -1 turns broadcasting off; a value with a unit is already readable
    expect(formatConfigValue('/sparkConf/spark.sql.autoBroadcastJoinThreshold', '-1')).toBe('-1');
    expect(formatConfigValue('/sparkConf/spark.sql.autoBroadcastJoinThreshold', '35m')).toBe('35m');
    expect(formatConfigValue('/sparkConf/spark.sql.shuffle.partitions', '400')).toBe('400');
    expect(formatConfigValue('/executor/memory', '5120m')).toBe('5g');
    expect(formatConfigValue('/driver/memoryOverhead', '1536m')).toBe('1536m');
    expect(formatConfigValue('/sparkConf/spark.executor.memory', '4096m')).toBe('4g');
    expect(formatConfigValue('/executor/cores', 2)).toBe('2');
  });
});
