/**
 * Clusters: the back-ends this runtime manages, as both APIs list and manage them. One source of
 * truth: either the API (a created cluster gets its back-end at once) or, when the runtime was
 * started with a clusters file, that file (then the API refuses changes with a 409 that says so).
 */
import { type Cluster, ClusterSpec, type StoredCluster } from '../domain/cluster';
import { DomainError, notFound } from '../domain/errors';
import type { Store } from '../domain/ports';
import { ACTIVE_STATES } from '../domain/states';
import { parseOrThrow } from '../domain/validation';
import type { ClusterBackends } from './cluster-backends';
import type { ClusterHealthMonitor } from './cluster-health';
import { authorize, type Principal } from './principal';

export interface ClusterServiceDeps {
  store: Store;
  backends: ClusterBackends;
  health: Pick<ClusterHealthMonitor, 'get' | 'forget' | 'refresh'>;
  /** The clusters file that declares every cluster, when there is one: the API may not change them. @default none */
  clustersFile?: string;
}

/** A cluster update: its back-end kind and settings (the id is the path's). */
const ClusterUpdate = ClusterSpec.omit({ id: true }).partial();

export class ClusterService {
  constructor(private readonly deps: ClusterServiceDeps) {}

  /** The clusters the caller may see (a token limited to clusters sees only those). */
  async list(actor?: Principal): Promise<Cluster[]> {
    authorize(actor, 'applications:read');
    const [clusters, running] = await Promise.all([this.deps.store.listClusters(), this.running()]);
    return clusters
      .filter((c) => !actor?.clusterIds || actor.clusterIds.includes(c.id) || actor.scopes.includes('admin'))
      .map((c) => this.view(c, running));
  }

  async get(id: string, actor?: Principal): Promise<Cluster> {
    authorize(actor, 'applications:read', { clusterId: id });
    const cluster = await this.deps.store.getCluster(id);
    if (!cluster) throw notFound('cluster', id);
    return this.view(cluster, await this.running());
  }

  async create(body: unknown, actor?: Principal): Promise<Cluster> {
    const input = this.deps.backends.validate(parseOrThrow(ClusterSpec, body));
    authorize(actor, 'clusters:manage', { clusterId: input.id });
    this.refuseWhenFileManaged(input.id);
    if (await this.deps.store.getCluster(input.id)) {
      throw new DomainError('CONFLICT', `cluster ${input.id} already exists`);
    }
    await this.startBackend(input);
    try {
      return this.view(await this.deps.store.putCluster(input), await this.running());
    } catch (error) {
      await this.deps.backends.stop(input.id);
      throw error;
    }
  }

  /** Replaces the back-end kind and/or settings of a cluster without active applications. */
  async update(id: string, body: unknown, actor?: Principal): Promise<Cluster> {
    authorize(actor, 'clusters:manage', { clusterId: id });
    const existing = await this.deps.store.getCluster(id);
    if (!existing) throw notFound('cluster', id);
    const change = parseOrThrow(ClusterUpdate, body);
    this.refuseWhenFileManaged(id);
    const { createdAt: _c, updatedAt: _u, ...declared } = existing;
    void _c;
    void _u;
    const next = this.deps.backends.validate({ ...declared, ...change, id });
    await this.refuseWhileActive(id, 'changed');
    await this.startBackend(next);
    return this.view(await this.deps.store.putCluster(next), await this.running());
  }

  async delete(id: string, actor?: Principal): Promise<void> {
    authorize(actor, 'clusters:manage', { clusterId: id });
    if (!(await this.deps.store.getCluster(id))) throw notFound('cluster', id);
    this.refuseWhenFileManaged(id);
    await this.refuseWhileActive(id, 'deleted');
    await this.deps.store.deleteCluster(id);
    await this.deps.backends.stop(id);
    this.deps.health.forget(id);
  }

  private refuseWhenFileManaged(id: string): void {
    if (this.deps.clustersFile === undefined) return;
    throw new DomainError(
      'CONFLICT',
      `cluster ${id} cannot be changed through the API: clusters are declared in ${this.deps.clustersFile} (SPARKPLANE_CLUSTERS_FILE); edit that file and restart the runtime`,
    );
  }

  private async refuseWhileActive(id: string, what: string): Promise<void> {
    const active = await this.deps.store.listApplications({ clusterId: id, states: ACTIVE_STATES }, 1);
    if (active.items.length > 0) {
      throw new DomainError(
        'CONFLICT',
        `cluster ${id} cannot be ${what} while it runs applications (e.g. ${active.items[0]!.id}): wait for them to end or kill them`,
      );
    }
  }

  /** A back-end that cannot be built (no Spark, an unknown kubeconfig context...) refuses the change. */
  private async startBackend(spec: ClusterSpec): Promise<void> {
    try {
      await this.deps.backends.start(spec);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw new DomainError(
        'BACKEND_UNAVAILABLE',
        `cluster ${spec.id}: its ${spec.backend} back-end cannot be started: ${(error as Error).message}`,
      );
    }
    // probed in the background: a slow cluster must not hold up the request
    void this.deps.health.refresh();
  }

  /** Applications RUNNING now, by cluster (one grouped count for every cluster listed). */
  private async running(): Promise<Map<string, number>> {
    const counts = await this.deps.store.countApplications(['RUNNING']);
    return new Map(counts.map((c) => [c.clusterId, c.count]));
  }

  private view(cluster: StoredCluster, running: Map<string, number>): Cluster {
    const managedBy = this.deps.clustersFile === undefined ? 'api' : 'file';
    const runningApplications = running.get(cluster.id) ?? 0;
    const reason = this.deps.backends.unavailableReason(cluster.id);
    if (reason !== undefined) return { ...cluster, managedBy, state: 'UNAVAILABLE', reason, runningApplications };
    const health = this.deps.health.get(cluster.id) ?? { state: 'PROGRESSING', reason: 'not probed yet' };
    return { ...cluster, ...health, managedBy, runningApplications };
  }
}
