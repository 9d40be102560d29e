import { describe, expect, it } from 'vitest';
import { kernelSparkConf } from './kernel-spark-conf';

const input = { appId: 'notebook-abc', eventLogDir: '/data/nb/eventlog', maxParallelism: 4, bindAddress: '127.0.0.1' };

describe("a notebook kernel's SparkSession settings", () => {
  it('take the config (driver memory, sparkConf, hadoopConf) and run a local master sized by the executors', () => {
    const conf = kernelSparkConf({
      ...input,
      config: {
        driver: { memory: '512m', javaOptions: '-Dx=1' },
        executor: { instances: 1, cores: 2 },
        sparkConf: { 'spark.sql.shuffle.partitions': '4' },
        hadoopConf: { 'fs.s3a.endpoint': 'http://127.0.0.1:9000' },
      },
    });
    expect(conf).toMatchObject({
      'spark.master': 'local[2]',
      'spark.driver.memory': '512m',
      'spark.driver.extraJavaOptions': '-Dx=1',
      'spark.sql.shuffle.partitions': '4',
      'spark.hadoop.fs.s3a.endpoint': 'http://127.0.0.1:9000',
      'spark.app.id': 'notebook-abc',
      'spark.driver.bindAddress': '127.0.0.1',
      'spark.driver.host': '127.0.0.1',
    });
  });

  it("cap the master's cores at the machine's", () => {
    const conf = kernelSparkConf({ ...input, config: { executor: { instances: 10, cores: 4 } } });
    expect(conf['spark.master']).toBe('local[4]');
  });

  it('keep the event log in the runtime directory whatever the config asks, so the run is measured', () => {
    const conf = kernelSparkConf({
      ...input,
      config: { sparkConf: { 'spark.eventLog.enabled': 'false', 'spark.master': 'yarn', 'spark.eventLog.dir': '/x' } },
    });
    expect(conf['spark.eventLog.enabled']).toBe('true');
    expect(conf['spark.eventLog.dir']).toBe('/data/nb/eventlog');
    expect(conf['spark.eventLog.compress']).toBe('false');
    expect(conf['spark.master']).toBe('local[1]');
  });
});
