/** The example job files parse as the CLI reads them, and name files the local back-end finds. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSparkSubmitCommand } from '../../runtime/adapters/local';
import { readJobFile, readJobSpecFile } from '../../runtime/cli/job-file';
import type { ApplicationConfig } from '../../runtime/domain/config';
import { REPOSITORY, sparkEnv } from '../support/spark';

const examplesDir = join(REPOSITORY, 'examples');
const jobFiles = readdirSync(examplesDir).filter((name) => name.endsWith('.yaml'));

/** The spark-submit command the local back-end would run for this config. */
function commandFor(appId: string, config: ApplicationConfig) {
  return buildSparkSubmitCommand({
    appId,
    config,
    sparkHome: sparkEnv().sparkHome,
    examplesDir,
    eventLogDir: '/tmp/eventlogs',
    maxParallelism: 2,
    maxExecutorMemoryMiB: 1024,
    localCluster: true,
    bindAddress: '127.0.0.1',
  });
}

describe('example job specs', () => {
  const specsDir = join(examplesDir, 'jobs');
  it.each(readdirSync(specsDir))('jobs/%s parses as a job spec with a schedule', async (name) => {
    const spec = await readJobSpecFile(join(specsDir, name));
    expect(spec.schedule?.enabled).toBe(true);
    const command = commandFor(spec.id, spec.config);
    expect(command.localFiles.length).toBeGreaterThan(0);
    for (const file of command.localFiles) expect(existsSync(file.path), `${file.field}: ${file.path}`).toBe(true);
  });
});

describe('example job files', () => {
  it('include the Spark Pi and the shuffle aggregation jobs', () => {
    expect(jobFiles).toEqual(expect.arrayContaining(['spark-pi.yaml', 'shuffle-aggregation.yaml']));
  });

  it.each(jobFiles)('%s parses and resolves to files of this machine', async (name) => {
    const job = await readJobFile(join(examplesDir, name));
    const command = commandFor(job.jobId, job.configOverrides ?? {});
    expect(command.localFiles.length).toBeGreaterThan(0);
    for (const file of command.localFiles) expect(existsSync(file.path), `${file.field}: ${file.path}`).toBe(true);
    expect(command.master).toBe('local[2]');
    expect(command.notes).toEqual([]);
  });
});
