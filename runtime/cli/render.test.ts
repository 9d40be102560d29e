import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderJobFile } from './render';

const dir = mkdtempSync(join(tmpdir(), 'sparkplane-render-'));
const clustersFile = join(dir, 'clusters.yaml');
writeFileSync(
  clustersFile,
  `- id: prod\n  backend: kubernetes\n  settings: { namespace: etl, eventLogBucketUrl: "s3a://logs" }\n- id: local\n  backend: local\n`,
);
const jobFile = join(dir, 'job.yaml');
writeFileSync(
  jobFile,
  `jobId: daily-etl\nappId: daily-etl-1\nconfigOverrides:\n  mainApplicationFile: s3a://code/etl.py\n  executor: { instances: 3, memory: 2g }\n`,
);

describe('sparkplane render', () => {
  it('prints the SparkApplication the kubernetes back-end would create', async () => {
    const documents = parseAllDocuments(await renderJobFile(jobFile, 'prod', clustersFile)).map((d) => d.toJS());
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({
      kind: 'SparkApplication',
      metadata: { name: 'daily-etl-1', namespace: 'etl' },
      spec: {
        type: 'Python',
        executor: { instances: 3, memory: '2048m' },
        // the one event-log directory of the bucket, which the History Server lists
        sparkConf: { 'spark.eventLog.dir': 's3a://logs/eventlogs', 'spark.eventLog.rolling.enabled': 'true' },
      },
    });
  });

  it('refuses a cluster that is not a kubernetes cluster of the file, naming it', async () => {
    await expect(renderJobFile(jobFile, 'local', clustersFile)).rejects.toThrow('uses the local back-end');
    await expect(renderJobFile(jobFile, 'staging', clustersFile)).rejects.toThrow('"staging" is not in');
  });
});
