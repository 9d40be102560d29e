import { describe, expect, it } from 'vitest';
import { formatMemory, parseCpuMillis, parseMemoryMiB } from './quantity';

describe('memory quantities', () => {
  it.each([
    ['512m', 512],
    ['512M', 512],
    ['8g', 8192],
    ['8G', 8192],
    ['8gb', 8192],
    ['8Gi', 8192],
    ['8192m', 8192],
    ['8192Mi', 8192],
    ['1.5g', 1536],
    ['1.5Gi', 1536],
    ['2048k', 2],
    ['1t', 1024 * 1024],
  ])('%s is %d MiB', (quantity, mib) => {
    expect(parseMemoryMiB(quantity)).toBe(mib);
  });

  it.each(['8gigs', '8', '', 'g', '-1g', '0g', '8 g', '1e3', 'eight', '8Gib'])('rejects %j', (quantity) => {
    expect(parseMemoryMiB(quantity)).toBeUndefined();
  });

  it('formats whole GiB as g and the rest as m', () => {
    expect(formatMemory(8192)).toBe('8g');
    expect(formatMemory(1536)).toBe('1536m');
  });
});

describe('CPU quantities', () => {
  it.each([
    ['1', 1000],
    ['0.5', 500],
    ['3460m', 3460],
    ['2', 2000],
  ])('%s is %d millicores', (quantity, millis) => {
    expect(parseCpuMillis(quantity)).toBe(millis);
  });

  it.each(['1 core', '0', '0m', 'm', '-1', '1.5m', '2c'])('rejects %j', (quantity) => {
    expect(parseCpuMillis(quantity)).toBeUndefined();
  });
});
