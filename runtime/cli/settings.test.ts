import { describe, expect, it } from 'vitest';
import { UsageError } from './errors';
import { parseSetting } from './settings';

describe('parseSetting', () => {
  it('turns a dotted path into nested objects, typing integers and booleans', () => {
    expect(parseSetting('executor.memory=4g')).toEqual({ executor: { memory: '4g' } });
    expect(parseSetting('executor.instances=3')).toEqual({ executor: { instances: 3 } });
    expect(parseSetting('executor.spot=false')).toEqual({ executor: { spot: false } });
    expect(parseSetting('arguments=-5')).toEqual({ arguments: -5 });
    expect(parseSetting('executor.memory=1.5g')).toEqual({ executor: { memory: '1.5g' } });
  });

  it('reads a value starting with [ or { as JSON: arrays and objects', () => {
    expect(parseSetting('arguments=["a","b"]')).toEqual({ arguments: ['a', 'b'] });
    expect(parseSetting('sparkConf={"spark.x":"1"}')).toEqual({ sparkConf: { 'spark.x': '1' } });
    expect(parseSetting('executor={"instances":2,"memory":"1g"}')).toEqual({
      executor: { instances: 2, memory: '1g' },
    });
    // a later key adds to the object an earlier JSON value made
    const into = parseSetting('sparkConf={"spark.x":"1"}');
    expect(parseSetting('sparkConf.spark.y=2', into)).toEqual({ sparkConf: { 'spark.x': '1', 'spark.y': '2' } });
  });

  it('refuses JSON that does not parse, naming the setting', () => {
    expect(() => parseSetting('arguments=["a",')).toThrow(UsageError);
    expect(() => parseSetting('arguments=["a",')).toThrow(
      '--set "arguments=[\\"a\\",": a value starting with "[" is read as JSON, and this is not valid JSON',
    );
  });

  it('keeps sparkConf, hadoopConf and labels keys whole and their values strings, JSON-looking or not', () => {
    expect(parseSetting('sparkConf.spark.sql.shuffle.partitions=8')).toEqual({
      sparkConf: { 'spark.sql.shuffle.partitions': '8' },
    });
    expect(parseSetting('hadoopConf.fs.s3a.fast.upload=true')).toEqual({
      hadoopConf: { 'fs.s3a.fast.upload': 'true' },
    });
    expect(parseSetting('sparkConf.spark.driver.extraJavaOptions={x}')).toEqual({
      sparkConf: { 'spark.driver.extraJavaOptions': '{x}' },
    });
    // only the first "=" separates the path from the value
    expect(parseSetting('labels.query=a=b')).toEqual({ labels: { query: 'a=b' } });
  });

  it('adds to what is there without dropping siblings, and replaces a scalar or an array on the path', () => {
    const into = { executor: { cores: 2 }, driver: 'x', arguments: ['a'] } as Record<string, unknown>;
    parseSetting('executor.memory=1g', into);
    parseSetting('driver.memory=2g', into);
    parseSetting('arguments.x=1', into);
    expect(into).toEqual({ executor: { cores: 2, memory: '1g' }, driver: { memory: '2g' }, arguments: { x: 1 } });
  });

  it('refuses a setting that is not path=value, naming it and the expected form', () => {
    expect(() => parseSetting('executor.memory')).toThrow(
      '--set "executor.memory" is not of the form path=value, e.g. executor.memory=4g',
    );
    expect(() => parseSetting('=4g')).toThrow('--set "=4g" is not of the form path=value');
  });
});
