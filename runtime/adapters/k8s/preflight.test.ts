import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SPARK_APPLICATION_CRD_FILE as UPSTREAM_CRD } from '../../../test/support/k8s-crd-validator';
import { SPARK_APPLICATION_CRD_FILE } from './crd-validator';
import type { ApplicationConfig } from '../../domain/config';
import { KubernetesClusterSettings } from './cluster-settings';
import { preflightIssues } from './preflight';

const context = {
  appId: 'etl-1',
  jobId: 'etl',
  clusterId: 'prod',
  settings: KubernetesClusterSettings.parse({ eventLogBucketUrl: 's3a://logs' }),
};
const base: ApplicationConfig = { type: 'Python', mainApplicationFile: 's3a://code/etl.py' };
const issues = (config: Partial<ApplicationConfig>, appId = context.appId) =>
  preflightIssues({ ...base, ...config } as ApplicationConfig, { ...context, appId });

describe('preflightIssues: what the API server would refuse, named as config fields', () => {
  it('accepts a config the cluster takes', async () => {
    expect(await issues({ executor: { instances: 2, cores: 2, memory: '4g' }, labels: { team: 'data-eng' } })).toEqual(
      [],
    );
  });

  it('refuses zero executors, which the CRD does not accept', async () => {
    expect(await issues({ executor: { instances: 0 } })).toEqual([
      {
        path: 'config.executor.instances',
        message:
          "config.executor.instances: 0 must be >= 1 (the cluster's SparkApplication CRD, field spec.executor.instances)",
      },
    ]);
  });

  it('refuses labels that are not Kubernetes labels, naming the key or value', async () => {
    const long = 'x'.repeat(70);
    const found = await issues({ labels: { 'Data Eng': 'ok', team: long } });
    expect(found.map((i) => i.path)).toEqual(expect.arrayContaining(['config.labels.Data Eng', 'config.labels.team']));
    expect(found.find((i) => i.path === 'config.labels.Data Eng')?.message).toMatch(
      /^config\.labels\.Data Eng: "ok" key "Data Eng" is not a label key/,
    );
    expect(found.find((i) => i.path === 'config.labels.team')?.message).toContain(
      `value "${long}" is not a label value`,
    );
  });

  it("names a pod's own label apart from the application's", async () => {
    const found = await issues({ driver: { labels: { 'bad key!': 'v' } } });
    expect(found.map((i) => i.path)).toEqual(['config.driver.labels.bad key!']);
  });

  it('refuses a field the CRD does not declare instead of letting the API server drop it', async () => {
    const found = await issues({ driver: { securityContext: { runAsUser: 1000, bogusField: true } } });
    expect(found).toEqual([
      {
        path: 'config.driver.securityContext.bogusField',
        message:
          "config.driver.securityContext.bogusField: true is not a field the CRD declares (the cluster's SparkApplication CRD, field spec.driver.securityContext.bogusField)",
      },
    ]);
  });

  it('refuses a wrong type inside a pass-through object and an unknown volume source', async () => {
    const found = await issues({
      executor: { affinity: { nodeAffinity: 'everywhere' } },
      volumes: [{ name: 'scratch', ramDisk: { sizeMiB: 10 } }],
    });
    expect(found.map((i) => i.path)).toEqual(['config.executor.affinity.nodeAffinity', 'config.volumes.0.ramDisk']);
    expect(found[0]?.message).toContain('"everywhere" must be object');
  });

  it('turns what rendering refuses into field issues, and names an appId that is no DNS label', async () => {
    expect((await issues({ type: undefined, mainApplicationFile: 's3a://code/etl.R' }))[0]?.path).toBe('config.type');
    expect(await issues({}, 'Not_A_Label')).toEqual([
      expect.objectContaining({
        path: 'appId',
        message: expect.stringMatching(/^appId: "Not_A_Label" is not a DNS label/),
      }),
    ]);
  });

  it("refuses a file of the runtime's disk, which no pod sees, naming the field", async () => {
    const found = await issues({ deps: { pyFiles: ['s3a://code/lib.zip', 'examples://util.py'] } });
    expect(found).toEqual([
      expect.objectContaining({
        path: 'config.deps.pyFiles[1]',
        message: expect.stringMatching(
          /^config\.deps\.pyFiles\[1\]: "examples:\/\/util\.py" names a file of the runtime's examples folder/,
        ),
      }),
    ]);
  });

  it('validates against the upstream CRD, vendored unchanged', () => {
    expect(readFileSync(SPARK_APPLICATION_CRD_FILE, 'utf8')).toBe(readFileSync(UPSTREAM_CRD, 'utf8'));
  });
});
