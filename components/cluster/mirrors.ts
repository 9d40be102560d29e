/**
 * Where the charts and images a component installs come from: upstream by default, or mirrors the
 * platform team names (an air-gapped or vetted install). A chart mirror holds every chart under its
 * upstream name; an image mirror every image under its upstream path (as a registry proxy cache does).
 */
import { z } from 'zod';

export const MirrorArgs = z.strictObject({
  /**
   * A Helm chart repository ("https://charts.acme.internal") or OCI registry ("oci://registry.acme.internal/charts").
   * @default each chart's upstream repository
   */
  charts: z
    .string()
    .regex(/^(https?|oci):\/\/[^\s]+[^/\s]$/, {
      message:
        'is not a chart repository URL such as "https://charts.acme.internal" or "oci://registry.acme.internal/charts"',
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

/** A chart by its upstream repository (https:// or oci://) and name. */
export interface ChartRef {
  repository: string;
  name: string;
}

/** The `chart` and `repositoryOpts` of a Helm release: an OCI chart is named by URL, a repository chart by name. */
export function chartSource(
  chart: ChartRef,
  mirrors: MirrorArgs = {},
): { chart: string; repositoryOpts?: { repo: string } } {
  const repository = mirrors.charts ?? chart.repository;
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
