/** spark-operator's CRDs are the platform's own objects, so a chart bump upgrades them in place. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { logicalName } from './apply-manifest';
import { sparkOperatorCrdDir, sparkOperatorCrds, VENDORED_CHART_ANNOTATION } from './spark-operator-crds';
import { SPARK_APPLICATION_CRD_FILE, SPARK_OPERATOR_CRDS_VERSION } from '../../runtime/adapters/k8s/crd-validator';
import { SPARK_OPERATOR_CHART_VERSION } from './versions';

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const scratch = mkdtempSync(join(tmpdir(), 'spark-operator-crds-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('spark-operator CRDs', () => {
  it('are the vendored crds/ of the pinned chart, marked with their source and taken over from Helm', () => {
    const crds = sparkOperatorCrds();
    expect(crds.map((crd) => crd.metadata.name)).toEqual([
      'scheduledsparkapplications.sparkoperator.k8s.io',
      'sparkapplications.sparkoperator.k8s.io',
      'sparkconnects.sparkoperator.k8s.io',
    ]);
    const file = parse(
      readFileSync(
        join(sparkOperatorCrdDir(SPARK_OPERATOR_CHART_VERSION), 'sparkoperator.k8s.io_sparkapplications.yaml'),
        'utf8',
      ),
    ) as Inputs;
    const applications = crds[1] as Inputs;
    expect(applications.spec).toEqual(file.spec);
    expect(applications.metadata.annotations).toMatchObject({
      [VENDORED_CHART_ANNOTATION]: `spark-operator-${SPARK_OPERATOR_CHART_VERSION}`,
      'pulumi.com/patchForce': 'true',
    });
  });

  it('are the CRDs the runtime validates its SparkApplications against: the chart it installs is the one it renders for', () => {
    expect(SPARK_OPERATOR_CHART_VERSION).toBe(SPARK_OPERATOR_CRDS_VERSION);
    expect(SPARK_APPLICATION_CRD_FILE).toBe(
      join(sparkOperatorCrdDir(SPARK_OPERATOR_CHART_VERSION), 'sparkoperator.k8s.io_sparkapplications.yaml'),
    );
  });

  it('upgrade in place on a chart bump: same logical names, the new schema', () => {
    // a 2.6.0 whose SparkApplication gained a field, vendored beside the current one
    const next = join(scratch, 'spark-operator-2.6.0');
    cpSync(sparkOperatorCrdDir(SPARK_OPERATOR_CHART_VERSION), next, { recursive: true });
    const path = join(next, 'sparkoperator.k8s.io_sparkapplications.yaml');
    const crd = parse(readFileSync(path, 'utf8')) as Inputs;
    crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.newField = { type: 'string' };
    writeFileSync(path, JSON.stringify(crd));

    const before = sparkOperatorCrds();
    const after = sparkOperatorCrds('2.6.0', next);
    expect(after.map((m) => logicalName('sparkplane', m))).toEqual(before.map((m) => logicalName('sparkplane', m)));
    const spec = (crds: Inputs[]) => crds[1]!.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
    expect(spec(before).newField).toBeUndefined();
    expect(spec(after).newField).toEqual({ type: 'string' });
    expect(after[1]!.metadata.annotations![VENDORED_CHART_ANNOTATION]).toBe('spark-operator-2.6.0');
  });

  it('refuse a chart version whose CRDs are not vendored, naming where they go', () => {
    expect(() => sparkOperatorCrds('9.9.9')).toThrow(
      /spark-operator chart 9\.9\.9: its CRDs are not vendored in .*crds\/spark-operator-9\.9\.9\/; copy the chart's crds\/\*\.yaml there/,
    );
  });
});
