/**
 * The back-end of every cluster, built from the registered back-end kinds (plug-ins): a cluster
 * declared at start-up or created through the API gets its back-end at once, a changed one a new
 * back-end, a deleted one none. A cluster whose back-end cannot be built stays listed as
 * UNAVAILABLE with the reason.
 */
import type { BackendKnobs } from '../domain/backend-knobs';
import type { ClusterHealth, ClusterSpec } from '../domain/cluster';
import { DomainError } from '../domain/errors';
import type { BackendContext, BackendPlugin, SparkBackend } from '../domain/ports';
import { describeIssues } from '../domain/validation';

export type ClusterProbeFn = () => Promise<ClusterHealth>;

interface Served {
  backend: SparkBackend;
  probe: ClusterProbeFn;
}

export class ClusterBackends {
  private readonly plugins: ReadonlyMap<string, BackendPlugin>;
  private readonly served = new Map<string, Served>();
  /** Why a declared cluster has no back-end. */
  private readonly unavailable = new Map<string, string>();

  constructor(
    plugins: readonly BackendPlugin[],
    private readonly context: BackendContext,
  ) {
    this.plugins = new Map(plugins.map((plugin) => [plugin.kind, plugin]));
  }

  /** The registered kinds, for error messages and the docs. */
  kinds(): string[] {
    return [...this.plugins.keys()];
  }

  /**
   * The cluster with its settings parsed by its kind's schema (defaults filled in), or
   * VALIDATION_FAILED naming `backend` or `settings.<field>`.
   */
  validate(spec: ClusterSpec): ClusterSpec {
    const plugin = this.plugins.get(spec.backend);
    if (!plugin) {
      const message = `backend: ${JSON.stringify(spec.backend)} is not one of ${this.kinds()
        .map((k) => JSON.stringify(k))
        .join(', ')}`;
      throw new DomainError('VALIDATION_FAILED', message, [{ path: 'backend', message }]);
    }
    const parsed = plugin.settings.safeParse(spec.settings);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error, spec.settings, ['settings']);
      throw new DomainError('VALIDATION_FAILED', issues.map((i) => i.message).join('; '), issues);
    }
    return { ...spec, settings: parsed.data as Record<string, unknown> };
  }

  /** The knobs the cluster's kind lets the tuner change, from its plug-in; undefined when it declares none or its settings do not parse. */
  tuningKnobs(cluster: ClusterSpec): BackendKnobs | undefined {
    const plugin = this.plugins.get(cluster.backend);
    if (!plugin?.tuningKnobs) return undefined;
    const parsed = plugin.settings.safeParse(cluster.settings);
    return parsed.success ? plugin.tuningKnobs(parsed.data) : undefined;
  }

  /** Builds the cluster's back-end, replacing (and closing) the one it had. Throws when it cannot be built. */
  async start(spec: ClusterSpec): Promise<void> {
    const { settings } = this.validate(spec);
    const plugin = this.plugins.get(spec.backend)!;
    await this.stop(spec.id);
    const backend = await plugin.create({ id: spec.id, settings }, this.context);
    const clock = this.context.clock;
    const probe: ClusterProbeFn = plugin.probe
      ? () => plugin.probe!(backend)
      : async () => ({ state: 'AVAILABLE', lastHeartbeat: clock.now().toISOString() });
    this.served.set(spec.id, { backend, probe });
    this.unavailable.delete(spec.id);
  }

  /** Like start, but a failure leaves the cluster UNAVAILABLE with the reason instead of throwing. */
  async startOrRecord(spec: ClusterSpec): Promise<void> {
    try {
      await this.start(spec);
    } catch (error) {
      this.markUnavailable(spec.id, (error as Error).message);
      this.context.logger.error({ clusterId: spec.id, err: error }, 'the cluster has no back-end');
    }
  }

  markUnavailable(clusterId: string, reason: string): void {
    this.unavailable.set(clusterId, reason);
  }

  /** Closes the cluster's back-end, if it has one. */
  async stop(clusterId: string): Promise<void> {
    const served = this.served.get(clusterId);
    this.served.delete(clusterId);
    this.unavailable.delete(clusterId);
    await served?.backend.close();
  }

  backendOf(clusterId: string): SparkBackend | undefined {
    return this.served.get(clusterId)?.backend;
  }

  /** Why the cluster has no back-end; undefined when it has one. */
  unavailableReason(clusterId: string): string | undefined {
    if (this.served.has(clusterId)) return undefined;
    return this.unavailable.get(clusterId) ?? 'the runtime serves no back-end for this cluster';
  }

  /** The probe of every served cluster. */
  probes(): [string, ClusterProbeFn][] {
    return [...this.served].map(([id, served]) => [id, served.probe]);
  }

  async close(): Promise<void> {
    await Promise.all([...this.served.keys()].map((id) => this.stop(id)));
  }
}
