/** Clusters: the back-ends this runtime manages, as both APIs list and manage them. */
import { z } from 'zod';
import { DomainError, notFound } from '../domain/errors';
import type { Store, StoredCluster } from '../domain/ports';
import { ResourceId } from '../domain/resources';
import { parseOrThrow } from '../domain/validation';
import type { ClusterHealth } from './cluster-health';
import { authorize, type Principal } from './principal';

export const ClusterInput = z
  .strictObject({
    id: ResourceId,
    /** @default "local" */
    backend: z.enum(['local', 'kubernetes']).default('local'),
    settings: z.record(z.string(), z.unknown()).default({}),
  })
  .meta({ id: 'ClusterInput' });
export type ClusterInput = z.infer<typeof ClusterInput>;

/** As probed (AVAILABLE, PROGRESSING, UNREACHABLE), or UNAVAILABLE when the runtime has no back-end for it. */
export type ClusterState = ClusterHealth['state'] | 'UNAVAILABLE';
export type ClusterView = StoredCluster & Omit<ClusterHealth, 'state'> & { state: ClusterState };

export class ClusterService {
  constructor(
    private readonly deps: {
      store: Store;
      /** Whether a back-end serves the cluster. @default every cluster is served */
      hasBackend?: (clusterId: string) => boolean;
      /** The cluster's last probed health. @default AVAILABLE when served */
      health?: (clusterId: string) => ClusterHealth | undefined;
    },
  ) {}

  async list(actor?: Principal): Promise<ClusterView[]> {
    authorize(actor, 'applications:read');
    const clusters = await this.deps.store.listClusters();
    return clusters
      .filter((c) => !actor?.clusterIds || actor.clusterIds.includes(c.id) || actor.scopes.includes('admin'))
      .map((c) => this.view(c));
  }

  async get(id: string, actor?: Principal): Promise<ClusterView> {
    authorize(actor, 'applications:read', { clusterId: id });
    const cluster = await this.deps.store.getCluster(id);
    if (!cluster) throw notFound('cluster', id);
    return this.view(cluster);
  }

  async create(body: unknown, actor?: Principal): Promise<ClusterView> {
    const input = parseOrThrow(ClusterInput, body);
    authorize(actor, 'clusters:manage', { clusterId: input.id });
    if (await this.deps.store.getCluster(input.id)) {
      throw new DomainError('CONFLICT', `cluster ${input.id} already exists`);
    }
    return this.view(await this.deps.store.putCluster(input));
  }

  /** Replaces the settings (and back-end kind when given) of an existing cluster. */
  async update(id: string, body: unknown, actor?: Principal): Promise<ClusterView> {
    authorize(actor, 'clusters:manage', { clusterId: id });
    const existing = await this.deps.store.getCluster(id);
    if (!existing) throw notFound('cluster', id);
    const input = parseOrThrow(ClusterInput.partial({ backend: true, settings: true }).omit({ id: true }), body);
    return this.view(
      await this.deps.store.putCluster({
        id,
        backend: input.backend ?? existing.backend,
        settings: input.settings ?? existing.settings,
      }),
    );
  }

  async delete(id: string, actor?: Principal): Promise<void> {
    authorize(actor, 'clusters:manage', { clusterId: id });
    if (!(await this.deps.store.deleteCluster(id))) throw notFound('cluster', id);
  }

  private view(cluster: StoredCluster): ClusterView {
    const served = this.deps.hasBackend?.(cluster.id) ?? true;
    if (!served) return { ...cluster, state: 'UNAVAILABLE' };
    return { ...cluster, ...(this.deps.health?.(cluster.id) ?? { state: 'AVAILABLE' }) };
  }
}
