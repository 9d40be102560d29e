import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { crdValidatorOf } from '../../runtime/adapters/k8s/crd-validator';
import { sparkJobCrd } from './spark-job-crd';
import { sparkJobManifest } from './spark-job-manifests';

type Node = Record<string, unknown>;
const validator = crdValidatorOf(sparkJobCrd() as never, 'v1alpha1');

/** The paths of nodes that break the API server's structural-schema rules. */
function nonStructural(node: Node, path = ''): string[] {
  const problems: string[] = [];
  const open = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node.type === undefined && !open) problems.push(`${path}: no type`);
  for (const key of ['anyOf', 'oneOf', 'allOf', 'default', '$ref', 'const', 'propertyNames', 'patternProperties'])
    if (key in node) problems.push(`${path}: ${key}`);
  if (node.additionalProperties === false) problems.push(`${path}: additionalProperties false`);
  if (node.properties && node.additionalProperties) problems.push(`${path}: properties and additionalProperties`);
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Node>))
    problems.push(...nonStructural(child, `${path}.${name}`));
  if (node.items) problems.push(...nonStructural(node.items as Node, `${path}[]`));
  if (typeof node.additionalProperties === 'object')
    problems.push(...nonStructural(node.additionalProperties as Node, `${path}{}`));
  return problems;
}

describe('the SparkJob CRD generated from the JobSpec', () => {
  const version = (sparkJobCrd().spec as { versions: { schema: { openAPIV3Schema: Node } }[] }).versions[0]!;

  it('is a structural schema with a status subresource', () => {
    expect(nonStructural(version.schema.openAPIV3Schema)).toEqual([]);
    expect(version).toMatchObject({ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } });
    // the spec's fields are the JobSpec's
    const spec = (version.schema.openAPIV3Schema.properties as Record<string, Node>).spec!;
    expect(Object.keys(spec.properties as Node).sort()).toEqual(
      [
        'clusterId',
        'concurrencyPolicy',
        'config',
        'configTemplateId',
        'displayName',
        'id',
        'schedule',
        'tuning',
      ].sort(),
    );
    expect(spec.required).toEqual(['clusterId']);
  });

  it("accepts the examples' job specs as SparkJobs", () => {
    const example = parse(readFileSync('examples/jobs/shuffle-aggregation.yaml', 'utf8')) as never;
    expect(validator.errors(sparkJobManifest(example, 'sparkplane'))).toEqual([]);
    const scheduled = { id: 'nightly', clusterId: 'prod', config: { type: 'Scala', mainClass: 'a.B' } } as never;
    expect(validator.errors(sparkJobManifest(scheduled, 'sparkplane'))).toEqual([]);
  });

  it('refuses a bad one, naming the field', () => {
    const object = {
      apiVersion: 'sparkplane.io/v1alpha1',
      kind: 'SparkJob',
      metadata: { name: 'bad' },
      spec: { clusterId: 'prod', concurrencyPolicy: 'Sometimes', config: { executor: { instances: -1 } }, extra: 1 },
    };
    const errors = validator.errors(object).map((e) => `${e.pointer} ${e.message}`);
    expect(errors).toContain('/spec/concurrencyPolicy must be one of "Allow", "Forbid", "Replace"');
    expect(errors.some((e) => e.startsWith('/spec/config/executor/instances'))).toBe(true);
    expect(errors).toContain('/spec/extra is not a field the CRD declares');
    expect(validator.errors({ ...object, spec: { id: 'x' } }).map((e) => e.message)).toContain(
      "must have required property 'clusterId'",
    );
  });
});
