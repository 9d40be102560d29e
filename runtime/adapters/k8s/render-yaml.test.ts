import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadCrdValidator, SPARK_APPLICATION_CRD_FILE } from '../../../test/support/k8s-crd-validator';
import { KubernetesClusterSettings } from './cluster-settings';
import { renderResources, renderResourcesYaml } from './render-yaml';

const context = {
  appId: 'pi-1',
  jobId: 'pi',
  clusterId: 'dev',
  settings: KubernetesClusterSettings.parse({ eventLogBucketUrl: 's3a://logs' }),
};
const config = { mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py', arguments: ['10'] };

describe('renderResourcesYaml', () => {
  it('prints exactly the resources the back-end creates, valid against the CRD', () => {
    const yaml = renderResourcesYaml(config, context);
    const documents = parseAllDocuments(yaml).map((d) => d.toJS() as unknown);
    expect(documents).toEqual(renderResources(config, context));
    expect(documents).toHaveLength(1);
    const validator = loadCrdValidator(SPARK_APPLICATION_CRD_FILE, 'v1beta2');
    expect(validator.errors(documents[0])).toEqual([]);
    expect(yaml.startsWith('---\napiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\n')).toBe(true);
    expect(yaml).toMatchSnapshot();
  });
});
