import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readJobFile, readJobSpecFile, readTemplateConfigFile } from './job-file';
import { UsageError } from './errors';

const dir = mkdtempSync(join(tmpdir(), 'sparkplane-job-file-'));
const examples = resolve(fileURLToPath(new URL('../../examples', import.meta.url)));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

  it('refuses with a usage error (exit 2), not an internal one', async () => {
    await expect(readJobFile(join(dir, 'missing.yaml'))).rejects.toBeInstanceOf(UsageError);
  });
});

describe('readJobSpecFile and readTemplateConfigFile', () => {
  it('read the example job spec and a template config, naming a bad field', async () => {
    const spec = await readJobSpecFile(join(examples, 'jobs', 'shuffle-aggregation.yaml'));
    expect(spec.schedule?.timezone).toBe('Europe/Paris');
    const good = file('template.yaml', 'executor:\n  memory: 2g\n');
    expect(await readTemplateConfigFile(good)).toEqual({ executor: { memory: '2g' } });
    const bad = file('bad-template.yaml', 'executor:\n  memory: 2gigs\n');
    await expect(readTemplateConfigFile(bad)).rejects.toThrow(
      `${bad}: executor.memory: "2gigs" is not a Kubernetes quantity`,
    );
  });
});
