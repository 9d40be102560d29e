/** `sparkplane render`: the dry run of the kubernetes back-end for a job file, offline. */
import { parseClusterSettings, renderResourcesYaml } from '../adapters/k8s';
import { ApplicationConfig, DEFAULT_TIMEOUT_MINUTES } from '../domain/config';
import { parseOrThrow } from '../domain/validation';
import { loadServiceConfig } from '../main/config';
import { UsageError } from './errors';
import { readJobFile } from './job-file';

export async function renderJobFile(
  file: string,
  clusterId: string,
  clustersFile: string | undefined,
): Promise<string> {
  if (!clustersFile)
    throw new UsageError(
      '--clusters-file (or SPARKPLANE_CLUSTERS_FILE) is required: it holds the settings of the cluster',
    );
  const clusters = loadServiceConfig({}, { SPARKPLANE_CLUSTERS_FILE: clustersFile }).clustersFile?.clusters ?? [];
  const cluster = clusters.find((c) => c.id === clusterId);
  if (!cluster)
    throw new UsageError(
      `--cluster ${JSON.stringify(clusterId)} is not in ${clustersFile} (it has: ${clusters.map((c) => c.id).join(', ')})`,
    );
  if (cluster.backend !== 'kubernetes')
    throw new UsageError(
      `cluster ${clusterId} uses the ${cluster.backend} back-end, which creates no Kubernetes resources`,
    );
  const job = await readJobFile(file);
  // the same effective config a submission without template, job config or tuning would get
  const config = parseOrThrow(ApplicationConfig, job.configOverrides ?? {}, ['configOverrides']);
  config.timeout ??= { minutes: DEFAULT_TIMEOUT_MINUTES, policy: 'KILL' };
  return renderResourcesYaml(config, {
    appId: job.appId ?? `${job.jobId}-dry-run`,
    jobId: job.jobId,
    clusterId,
    settings: parseClusterSettings(cluster.settings),
  });
}
