import { describe, expect, it } from 'vitest';
import { KernelSpecs } from '../../domain/notebook';
import { kernelSpecsOf } from './kernelspecs';

const template = (id: string, config: object = {}) => ({ id, clusterId: 'prod', config });

describe('the kernelspecs of a cluster', () => {
  it('are one Python kernelspec per config template, named by the template id, the first id the default', () => {
    const specs = kernelSpecsOf([
      template('small', { driver: { cores: 1, memory: '512m' } }),
      template('large-etl', { driver: { memory: '8g' } }),
    ]);
    expect(KernelSpecs.parse(specs)).toEqual(specs);
    expect(specs.default).toBe('large-etl');
    expect(Object.keys(specs.kernelspecs)).toEqual(['large-etl', 'small']);
    const small = specs.kernelspecs.small!;
    expect(small.name).toBe('small');
    expect(small.spec.language).toBe('python');
    expect(small.spec.display_name).toBe('PySpark small (prod) - driver 1 cores, 512m');
    expect(specs.kernelspecs['large-etl']!.spec.display_name).toBe('PySpark large-etl (prod) - driver 8g');
    expect(small.spec.metadata).toEqual({ sparkplane: { clusterId: 'prod', configTemplateId: 'small' } });
    expect(small.spec.argv).toContain('{connection_file}');
  });

  it('leave no default on a cluster without templates', () => {
    expect(kernelSpecsOf([])).toEqual({ default: '', kernelspecs: {} });
  });

  it('name a template without driver settings by its id and cluster only', () => {
    expect(kernelSpecsOf([template('plain')]).kernelspecs.plain!.spec.display_name).toBe('PySpark plain (prod)');
  });
});
