/**
 * Jobs declared with the fleet, as the control plane carries them: one ConfigMap per job in the
 * runtime's namespace, holding the runtime's own JobSpec (runtime/domain/resources.ts). Pure.
 * The runtime does not read these ConfigMaps yet: they are the declaration a SparkJob resource
 * or `sparkplane apply` would hand it.
 */
import { stringify } from 'yaml';
import type { z } from 'zod';
import { JobSpec } from '../../runtime/domain/resources';
import { parseOrThrow } from '../../runtime/domain/validation';
import type { Manifest } from '../platform/labels';

export type JobSpecInput = z.input<typeof JobSpec>;

/** Each job validated (a wrong value names `jobs[i].<field>`), and placed on a cluster of the fleet. */
export function jobManifests(jobs: JobSpecInput[], namespace: string, clusterIds: string[]): Manifest[] {
  const seen = new Set<string>();
  return jobs.map((input, i) => {
    const job = parseOrThrow(JobSpec, input, ['jobs', i]);
    if (!clusterIds.includes(job.clusterId))
      throw new Error(
        `jobs[${i}].clusterId: "${job.clusterId}" is not a cluster of the fleet; expected one of ${clusterIds.join(', ')}`,
      );
    if (seen.has(job.id)) throw new Error(`jobs[${i}].id: "${job.id}" is declared twice; expected unique job ids`);
    seen.add(job.id);
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `job-${job.id}`,
        namespace,
        labels: {
          'app.kubernetes.io/part-of': 'sparkplane',
          'sparkplane.io/job-id': job.id,
          'sparkplane.io/cluster-id': job.clusterId,
        },
      },
      data: { 'job.yaml': stringify(job) },
    };
  });
}
