/**
 * Jobs declared as code, as Kubernetes objects: one SparkJob (group sparkplane.io) per job, in the
 * namespace the runtime follows, its spec the runtime's own JobSpec as written. Pure.
 */
import type { z } from 'zod';
import { JobSpec } from '../../runtime/domain/resources';
import { SPARK_JOB_API_VERSION, SPARK_JOB_KIND } from '../../runtime/domain/spark-job';
import { parseOrThrow } from '../../runtime/domain/validation';
import type { Manifest } from '../platform/labels';

export type JobSpecInput = z.input<typeof JobSpec>;

/** The SparkJob object of one job (validated: a wrong value names `<prefix>.<field>`). */
export function sparkJobManifest(
  job: JobSpecInput,
  namespace: string,
  prefix: readonly PropertyKey[] = ['job'],
): Manifest {
  const parsed = parseOrThrow(JobSpec, job, prefix);
  return {
    apiVersion: SPARK_JOB_API_VERSION,
    kind: SPARK_JOB_KIND,
    metadata: {
      // a job id is a DNS label, so it names the object
      name: parsed.id,
      namespace,
      labels: {
        'app.kubernetes.io/part-of': 'sparkplane',
        'app.kubernetes.io/managed-by': 'pulumi',
        'sparkplane.io/cluster-id': parsed.clusterId,
      },
    },
    spec: job,
  };
}

/** Each job validated (a wrong value names `jobs[i].<field>`), and placed on a cluster of the fleet. */
export function sparkJobManifests(jobs: JobSpecInput[], namespace: string, clusterIds: string[]): Manifest[] {
  const seen = new Set<string>();
  return jobs.map((input, i) => {
    const manifest = sparkJobManifest(input, namespace, ['jobs', i]);
    const spec = manifest.spec as JobSpecInput;
    if (!clusterIds.includes(spec.clusterId))
      throw new Error(
        `jobs[${i}].clusterId: "${spec.clusterId}" is not a cluster of the fleet; expected one of ${clusterIds.join(', ')}`,
      );
    if (seen.has(spec.id)) throw new Error(`jobs[${i}].id: "${spec.id}" is declared twice; expected unique job ids`);
    seen.add(spec.id);
    return manifest;
  });
}
