/**
 * Where the charts and images a component installs come from: upstream by default, or mirrors the
 * platform team names (an air-gapped or vetted install). A chart mirror holds every chart under its
 * upstream name (a folder vendored in the repository: as `helm pull` saves it); an image mirror every image under its upstream path (as a registry proxy cache does).
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';

/** A folder of charts in the repository: a relative path ("charts", "./vendor/charts") or an absolute one. */
const LOCAL_CHARTS = /^(\/|\.{1,2}\/|[A-Za-z0-9_])[^\s:]*$/;
const CHART_URL = /^(https?|oci):\/\/[^\s]+[^/\s]$/;

export const MirrorArgs = z.strictObject({
  /**
   * A Helm chart repository ("https://charts.acme.internal"), an OCI registry
   * ("oci://registry.acme.internal/charts"), or a folder vendored in the repository ("charts")
   * holding each chart as `helm pull` saves it, `<name>-<version>.tgz`; a relative folder is read
   * from the directory `pulumi up` runs in (the Pulumi project's).
   * @default each chart's upstream repository
   */
  charts: z
    .string()
    .refine((value) => CHART_URL.test(value) || (LOCAL_CHARTS.test(value) && !value.endsWith('/')), {
      message:
        'is not a chart repository URL such as "https://charts.acme.internal" or "oci://registry.acme.internal/charts", nor a folder of vendored charts such as "charts"',
    })
    .optional(),
  /**
   * A registry (and path) that serves every image under its upstream path, e.g. "registry.acme.internal/mirror".
   * @default each image's upstream registry
   */
  images: z
    .string()
    .regex(/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*$/, {
      message: 'is not a registry such as "registry.acme.internal/mirror"',
    })
    .optional(),
});
export type MirrorArgs = z.output<typeof MirrorArgs>;

/** A chart by its upstream repository (https:// or oci://), name and pinned version. */
export interface ChartRef {
  repository: string;
  name: string;
  version: string;
}

/** The file a folder of vendored charts holds for a chart: `helm pull`'s `<name>-<version>.tgz`. */
export function vendoredChartPath(folder: string, chart: ChartRef): string {
  return `${folder}/${chart.name}-${chart.version}.tgz`;
}

/**
 * The `chart` and `repositoryOpts` of a Helm release: an OCI chart is named by URL, a repository
 * chart by name, a vendored chart by its path (checked here: a missing file would only fail at `pulumi up`).
 */
export function chartSource(
  chart: ChartRef,
  mirrors: MirrorArgs = {},
  exists: (path: string) => boolean = existsSync,
): { chart: string; repositoryOpts?: { repo: string } } {
  const repository = mirrors.charts ?? chart.repository;
  if (!CHART_URL.test(repository)) {
    const path = vendoredChartPath(repository, chart);
    if (!exists(path))
      throw new Error(
        `mirrors.charts: "${repository}" holds no ${path}; expected the chart saved by \`helm pull ${chart.repository.startsWith('oci://') ? `${chart.repository}/${chart.name}` : `${chart.name} --repo ${chart.repository}`} --version ${chart.version} -d ${repository}\``,
      );
    return { chart: path };
  }
  return repository.startsWith('oci://')
    ? { chart: `${repository}/${chart.name}` }
    : { chart: chart.name, repositoryOpts: { repo: repository } };
}

/** An image's registry and path, Docker Hub's implicit ones made explicit ("postgres" -> docker.io/library/postgres). */
export function splitImage(image: string): { registry: string; path: string } {
  const [first, ...rest] = image.split('/');
  if (rest.length > 0 && (first!.includes('.') || first!.includes(':') || first === 'localhost'))
    return { registry: first!, path: rest.join('/') };
  return { registry: 'docker.io', path: rest.length === 0 ? `library/${first}` : image };
}

/** The image reference pulled: the mirror's copy under the upstream path, or the image itself. */
export function mirroredImage(image: string, mirrors: MirrorArgs = {}): string {
  return mirrors.images ? `${mirrors.images}/${splitImage(image).path}` : image;
}

/** The registry an image is pulled from (for charts whose values take registry and repository apart). */
export function imageRegistry(upstreamRegistry: string, mirrors: MirrorArgs = {}): string {
  return mirrors.images ?? upstreamRegistry;
}
