import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSetting, readJobFile } from './job-file';

const dir = mkdtempSync(join(tmpdir(), 'sparkplane-job-file-'));
const examples = resolve(fileURLToPath(new URL('../../examples', import.meta.url)));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseSetting', () => {
  it('turns a dotted path into nested objects, typing integers and booleans', () => {
    expect(parseSetting('executor.memory=4g')).toEqual({ executor: { memory: '4g' } });
    expect(parseSetting('executor.instances=3')).toEqual({ executor: { instances: 3 } });
    expect(parseSetting('executor.spot=false')).toEqual({ executor: { spot: false } });
    expect(parseSetting('arguments=-5')).toEqual({ arguments: -5 });
    expect(parseSetting('executor.memory=1.5g')).toEqual({ executor: { memory: '1.5g' } });
  });

  it('keeps sparkConf, hadoopConf and labels keys whole and their values strings', () => {
    expect(parseSetting('sparkConf.spark.sql.shuffle.partitions=8')).toEqual({
      sparkConf: { 'spark.sql.shuffle.partitions': '8' },
    });
    expect(parseSetting('hadoopConf.fs.s3a.fast.upload=true')).toEqual({
      hadoopConf: { 'fs.s3a.fast.upload': 'true' },
    });
    // only the first "=" separates the path from the value
    expect(parseSetting('labels.query=a=b')).toEqual({ labels: { query: 'a=b' } });
  });

  it('adds to what is there without dropping siblings, and replaces a scalar on the path', () => {
    const into = { executor: { cores: 2 }, driver: 'x' } as Record<string, unknown>;
    parseSetting('executor.memory=1g', into);
    parseSetting('driver.memory=2g', into);
    expect(into).toEqual({ executor: { cores: 2, memory: '1g' }, driver: { memory: '2g' } });
  });

  it('refuses a setting that is not path=value, naming it and the expected form', () => {
    expect(() => parseSetting('executor.memory')).toThrow(
      '--set "executor.memory" is not of the form path=value, e.g. executor.memory=4g',
    );
    expect(() => parseSetting('=4g')).toThrow('--set "=4g" is not of the form path=value');
  });
});

describe('readJobFile', () => {
  it('reads the examples the README applies', async () => {
    const pi = await readJobFile(join(examples, 'spark-pi.yaml'));
    expect(pi.jobId).toBe('spark-pi');
    expect(pi.configOverrides?.mainApplicationFile).toBe('spark-home://examples/src/main/python/pi.py');
    const shuffle = await readJobFile(join(examples, 'shuffle-aggregation.yaml'));
    expect(shuffle.configOverrides?.sparkConf).toEqual({ 'spark.sql.shuffle.partitions': '8' });
  });

  it('reads JSON as well, with an optional cluster', async () => {
    const path = file('job.json', JSON.stringify({ jobId: 'nightly', clusterId: 'prod', appId: 'nightly-1' }));
    expect(await readJobFile(path)).toEqual({ jobId: 'nightly', clusterId: 'prod', appId: 'nightly-1' });
  });

  it('names a file that cannot be read', async () => {
    const missing = join(dir, 'missing.yaml');
    await expect(readJobFile(missing)).rejects.toThrow(`cannot read job file ${missing}: ENOENT`);
  });

  it('names a file that is not YAML', async () => {
    const path = file('broken.yaml', 'jobId: [unclosed\n');
    await expect(readJobFile(path)).rejects.toThrow(`${path} is not valid YAML or JSON`);
  });

  it('names the field, the value and what was expected for an invalid submission', async () => {
    const badId = file('bad-id.yaml', 'jobId: Nightly_ETL\n');
    await expect(readJobFile(badId)).rejects.toThrow(
      `${badId}: jobId: "Nightly_ETL" is not an id of lowercase letters, digits and "-"`,
    );

    const badCount = file('bad-count.yaml', 'jobId: nightly\nconfigOverrides:\n  executor:\n    instances: three\n');
    await expect(readJobFile(badCount)).rejects.toThrow(
      `${badCount}: configOverrides.executor.instances: "three" is not a number`,
    );

    const missingJob = file('no-job.yaml', 'appId: nightly-1\n');
    await expect(readJobFile(missingJob)).rejects.toThrow(`${missingJob}: jobId: is required: expected a string`);

    const unknownKey = file('typo.yaml', 'jobId: nightly\nconfigOverride: {}\n');
    await expect(readJobFile(unknownKey)).rejects.toThrow(`${unknownKey}: (body): unknown field "configOverride"`);
  });
});
