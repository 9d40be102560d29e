/**
 * spark-operator's CRDs as Pulumi-managed objects, read from the copy of the pinned chart's crds/
 * vendored with the runtime's Kubernetes back-end (runtime/adapters/k8s/crds/spark-operator-<version>/),
 * which validates what it renders against the same files. Helm installs a chart's crds/ on the
 * first install only and never upgrades them, so the platform applies them itself and the Release
 * skips them: bumping SPARK_OPERATOR_CHART_VERSION upgrades the CRDs in the same `pulumi up`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Manifest } from './labels';
import { SPARK_OPERATOR_CHART_VERSION } from './versions';

/** Marks the vendored CRDs: the snapshots show their source instead of their 1.8 MB of schema. */
export const VENDORED_CHART_ANNOTATION = 'sparkplane.io/vendored-from-chart';

const cache = new Map<string, Manifest[]>();

/** The folder holding the CRDs of a spark-operator chart version. */
export function sparkOperatorCrdDir(version: string): string {
  return fileURLToPath(new URL(`../../runtime/adapters/k8s/crds/spark-operator-${version}/`, import.meta.url));
}

/** The CRDs of a chart version, from its vendored folder (or `dir`, e.g. a version being vendored). */
export function sparkOperatorCrds(
  version: string = SPARK_OPERATOR_CHART_VERSION,
  dir: string = sparkOperatorCrdDir(version),
): Manifest[] {
  const cached = cache.get(dir);
  if (cached) return cached;
  if (!existsSync(dir))
    throw new Error(
      `spark-operator chart ${version}: its CRDs are not vendored in ${dir}; copy the chart's crds/*.yaml there when changing SPARK_OPERATOR_CHART_VERSION`,
    );
  const crds = readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const crd = parse(readFileSync(join(dir, file), 'utf8')) as Manifest;
      return {
        ...crd,
        metadata: {
          ...crd.metadata,
          annotations: {
            ...crd.metadata.annotations,
            [VENDORED_CHART_ANNOTATION]: `spark-operator-${version}`,
            // an install made before this (Helm created the CRDs) has them owned by Helm's field
            // manager: take them over, or the first upgrade would stop on server-side apply conflicts
            'pulumi.com/patchForce': 'true',
          },
        },
      };
    });
  cache.set(dir, crds);
  return crds;
}
