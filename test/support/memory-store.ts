/**
 * An in-memory Store faithful to the contract of runtime/domain/ports.ts (and to the SQL store's
 * observable behaviour): idempotent inserts by id and by (clusterId, idempotencyKey),
 * compare-and-set updates, filters, keyset pagination, revoked tokens never found.
 */
import { SerialLock } from '../../runtime/adapters/store/serial-lock';
import type { Application } from '../../runtime/domain/application';
import { DomainError } from '../../runtime/domain/errors';
import { requestedCores } from '../../runtime/domain/config';
import type {
  ActivityInterval,
  ApiToken,
  ApplicationFilter,
  ApplicationSort,
  ApplicationUpdate,
  ClaimOptions,
  Clock,
  ConnectEndpoint,
  MeasuredRun,
  Page,
  SessionState,
  SpendQuery,
  SpendRow,
  Store,
  StoredCluster,
  StoredJob,
  StoredTemplate,
} from '../../runtime/domain/ports';
import type { ConfigTemplate, JobSpec } from '../../runtime/domain/resources';
import { type AppState, isTerminal } from '../../runtime/domain/states';

const copy = <T>(value: T): T => structuredClone(value);

function cursorOf(key: string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function keyOf(cursor: string, length: number): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== length || !key.every((k) => typeof k === 'string')) {
    throw new DomainError('VALIDATION_FAILED', `cursor "${cursor}" is not a cursor returned by a previous page`, [
      { path: 'cursor', message: `"${cursor}" is not a cursor returned by a previous page` },
    ]);
  }
  return key as string[];
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new DomainError('VALIDATION_FAILED', `limit ${limit} is not a positive integer`, [
      { path: 'limit', message: `${limit} is not a positive integer` },
    ]);
  }
}

export class MemoryStore implements Store {
  readonly applications = new Map<string, Application>();
  private readonly jobs = new Map<string, StoredJob>();
  private readonly templates = new Map<string, StoredTemplate>();
  private readonly clusters = new Map<string, StoredCluster>();
  private readonly tokens = new Map<string, ApiToken>();
  private readonly sessionStates = new Map<string, SessionState>();
  /** Owner replica of each application, and each replica's last heartbeat (ms). */
  private readonly owners = new Map<string, string>();
  private readonly heartbeats = new Map<string, number>();
  /** Number of calls per method, for tests that check what was (not) written. */
  readonly calls: Record<string, number> = {};
  private readonly admissionLock = new SerialLock();

  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  private count(method: string): void {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  async insertApplication(
    app: Application,
    options: { ownerId?: string } = {},
  ): Promise<{ app: Application; created: boolean }> {
    this.count('insertApplication');
    const sameId = this.applications.get(app.id);
    if (sameId) return { app: copy(sameId), created: false };
    if (app.idempotencyKey !== undefined) {
      for (const stored of this.applications.values()) {
        if (stored.clusterId === app.clusterId && stored.idempotencyKey === app.idempotencyKey) {
          return { app: copy(stored), created: false };
        }
      }
    }
    // the type the SQL store's column defaults to
    app = { ...app, type: app.type ?? 'batch' };
    this.applications.set(app.id, copy(app));
    if (options.ownerId !== undefined) this.owners.set(app.id, options.ownerId);
    return { app: copy(app), created: true };
  }

  async getApplication(id: string): Promise<Application | undefined> {
    const app = this.applications.get(id);
    return app && copy(app);
  }

  /** Newest first by (createdAt, id), as the SQL store. */
  async listPendingMeasurements(limit: number): Promise<Application[]> {
    return [...this.applications.values()]
      .filter((a) => isTerminal(a.state) && (a.measurement === undefined || a.measurement.state === 'pending'))
      .sort((a, b) => (a.endedAt ?? '').localeCompare(b.endedAt ?? ''))
      .slice(0, limit)
      .map(copy);
  }

  async listUnfinishedFailures(limit: number, afterId?: string): Promise<Application[]> {
    return [...this.applications.values()]
      .filter((a) => a.state === 'FAILED' && a.failure === undefined && (afterId === undefined || a.id > afterId))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit)
      .map(copy);
  }

  /** One process: passes queue behind each other. */
  withAdmissionLock<T>(work: () => Promise<T>): Promise<T> {
    return this.admissionLock.run(work);
  }

  async countApplications(states: AppState[]): Promise<{ clusterId: string; state: AppState; count: number }[]> {
    const counts = new Map<string, { clusterId: string; state: AppState; count: number }>();
    for (const app of this.applications.values()) {
      if (!states.includes(app.state)) continue;
      const key = `${app.clusterId} ${app.state}`;
      const entry = counts.get(key) ?? { clusterId: app.clusterId, state: app.state, count: 0 };
      entry.count++;
      counts.set(key, entry);
    }
    return [...counts.values()];
  }

  /** Sorted by the key (default createdAt descending), ties by id, applications without the key last, as the SQL store. */
  async listApplications(
    filter: ApplicationFilter,
    limit: number,
    cursor?: string,
    sort: ApplicationSort = { key: 'createdAt', order: 'desc' },
  ): Promise<Page<Application>> {
    checkLimit(limit);
    const q = filter.q?.toLowerCase();
    const matching = [...this.applications.values()]
      .filter((a) => filter.clusterId === undefined || a.clusterId === filter.clusterId)
      .filter((a) => filter.jobId === undefined || a.jobId === filter.jobId)
      .filter((a) => !filter.states?.length || filter.states.includes(a.state))
      .filter((a) => filter.ownerId === undefined || this.owners.get(a.id) === filter.ownerId)
      .filter((a) => filter.userId === undefined || a.userId === filter.userId)
      .filter((a) => !filter.types?.length || filter.types.includes(a.type ?? 'batch'))
      .filter((a) => filter.retryOf === undefined || a.retryOf === filter.retryOf)
      .filter((a) => !q || a.id.toLowerCase().includes(q) || a.jobId?.toLowerCase().includes(q) === true)
      .filter((a) => filter.createdFrom === undefined || Date.parse(a.createdAt) >= Date.parse(filter.createdFrom))
      .filter((a) => filter.createdTo === undefined || Date.parse(a.createdAt) < Date.parse(filter.createdTo))
      .filter((a) => Object.entries(filter.labels ?? {}).every(([k, v]) => a.config.labels?.[k] === v));
    const sign = sort.order === 'desc' ? -1 : 1;
    const compare = (a: SortEntry, b: SortEntry) => {
      if ((a.value === undefined) !== (b.value === undefined)) return a.value === undefined ? 1 : -1;
      if (a.value !== undefined && b.value !== undefined && a.value !== b.value)
        return a.value < b.value ? -sign : sign;
      return a.id === b.id ? 0 : a.id < b.id ? -sign : sign;
    };
    const entries = matching.map((app) => ({ app, value: sortKeyOf(app, sort), id: app.id })).sort(compare);
    let start = 0;
    if (cursor !== undefined) {
      const [key, order, phase, value = '', id = ''] = keyOf(cursor, 5);
      if (key !== sort.key || order !== sort.order || (phase !== 'value' && phase !== 'null')) {
        throw new DomainError('VALIDATION_FAILED', `cursor "${cursor}" was made for another sort`, [
          { path: 'cursor', message: `"${cursor}" was made for sort=${key}&order=${order}` },
        ]);
      }
      const position: SortEntry = {
        value:
          phase === 'null' ? undefined : sort.key === 'createdAt' || sort.key === 'startedAt' ? value : Number(value),
        id,
      };
      start = entries.findIndex((entry) => compare(entry, position) > 0);
      if (start < 0) start = entries.length;
    }
    const page = entries.slice(start, start + limit);
    const items = page.map((entry) => copy(entry.app));
    const last = page[page.length - 1];
    if (entries.length <= start + limit || !last) return { items };
    const phase = last.value === undefined ? 'null' : 'value';
    return {
      items,
      nextCursor: cursorOf([sort.key, sort.order, phase, last.value === undefined ? '' : String(last.value), last.id]),
    };
  }

  /** Newest first (createdAt, then id), as the SQL store. */
  async listMeasuredRuns(jobId: string): Promise<MeasuredRun[]> {
    const runs = [...this.applications.values()]
      .filter((a) => a.jobId === jobId && a.metrics !== undefined && a.endedAt !== undefined)
      .sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : -1));
    return runs.map((app) => {
      const { durationMs, inputBytes, outputBytes, efficiency, executorCoreSeconds, cost } = app.metrics!;
      return copy({
        appId: app.id,
        endedAt: app.endedAt!,
        state: app.state,
        metrics: {
          durationMs,
          inputBytes,
          outputBytes,
          efficiency,
          executorCoreSeconds,
          ...(cost ? { cost: { total: cost.total } } : {}),
        },
        config: app.config,
        provenance: app.provenance,
        ...(app.prediction ? { prediction: app.prediction } : {}),
      });
    });
  }

  /** As the SQL store's GROUP BY, over the applications in memory. */
  async sumSpend(query: SpendQuery): Promise<SpendRow[]> {
    const from = Date.parse(query.endedFrom);
    const to = Date.parse(query.endedTo);
    const groups = new Map<string, SpendRow>();
    for (const app of this.applications.values()) {
      if (app.endedAt === undefined) continue;
      const ended = Date.parse(app.endedAt);
      if (ended < from || ended >= to) continue;
      if (query.clusterIds && !query.clusterIds.includes(app.clusterId)) continue;
      if (query.jobIds && (app.jobId === undefined || !query.jobIds.includes(app.jobId))) continue;
      const keys = {
        job: app.jobId ?? '',
        user: app.userId ?? '',
        cluster: app.clusterId,
        state: app.state,
        label: app.config.labels?.[query.labelKey ?? ''] ?? '',
      };
      const day = query.perDay ? new Date(ended).toISOString().slice(0, 10) : undefined;
      const key = query.by === undefined ? undefined : keys[query.by];
      if (key !== undefined && query.keys && !query.keys.includes(key)) continue;
      const id = `${day ?? ''} ${key ?? ''}`;
      const row: SpendRow = groups.get(id) ?? {
        ...(day !== undefined ? { day } : {}),
        ...(key !== undefined ? { key } : {}),
        applications: 0,
        cost: 0,
        executorCoreSeconds: 0,
        durationMs: 0,
        inputBytes: 0,
        outputBytes: 0,
        executorRunTimeMs: 0,
        measured: 0,
      };
      const m = app.metrics;
      row.applications += 1;
      row.cost += m?.cost?.total ?? 0;
      if (m?.cost) row.currency = m.cost.currency;
      if (m) {
        row.measured += 1;
        row.executorCoreSeconds += m.executorCoreSeconds;
        row.durationMs += m.durationMs;
        row.inputBytes += m.inputBytes;
        row.outputBytes += m.outputBytes;
        row.executorRunTimeMs += m.executorRunTimeMs;
      }
      groups.set(id, row);
    }
    return [...groups.values()];
  }

  async listActivity(clusterId: string, from: string, to: string, jobIds?: string[]): Promise<ActivityInterval[]> {
    return [...this.applications.values()]
      .filter((a) => a.clusterId === clusterId && Date.parse(a.createdAt) < Date.parse(to))
      .filter((a) => !jobIds || (a.jobId !== undefined && jobIds.includes(a.jobId)))
      .filter((a) => a.endedAt === undefined || Date.parse(a.endedAt) >= Date.parse(from))
      .map((a) => ({
        state: a.state,
        createdAt: a.createdAt,
        ...(a.startedAt !== undefined ? { startedAt: a.startedAt } : {}),
        ...(a.endedAt !== undefined ? { endedAt: a.endedAt } : {}),
        requestedCores: requestedCores(a.config),
      }));
  }

  async updateApplication(
    id: string,
    update: ApplicationUpdate,
    expected?: AppState[],
  ): Promise<Application | undefined> {
    this.count('updateApplication');
    const app = this.applications.get(id);
    if (!app || (expected !== undefined && !expected.includes(app.state))) return undefined;
    const next: Application = { ...app, updatedAt: this.now() };
    if (update.state !== undefined) next.state = update.state;
    if (update.stateReason === null) delete next.stateReason;
    else if (update.stateReason !== undefined) next.stateReason = update.stateReason;
    if (update.pendingReason === null) delete next.pendingReason;
    else if (update.pendingReason !== undefined) next.pendingReason = update.pendingReason;
    if (update.admittedAt !== undefined) next.admittedAt = update.admittedAt;
    if (update.backendRef !== undefined) next.backendRef = update.backendRef;
    if (update.startedAt !== undefined) next.startedAt = update.startedAt;
    if (update.endedAt !== undefined) next.endedAt = update.endedAt;
    if (update.metrics !== undefined) next.metrics = copy(update.metrics);
    if (update.measurement !== undefined) next.measurement = copy(update.measurement);
    if (update.failure !== undefined) next.failure = copy(update.failure);
    if (update.stopRequest === null) delete next.stopRequest;
    else if (update.stopRequest !== undefined) next.stopRequest = copy(update.stopRequest);
    this.applications.set(id, next);
    return copy(next);
  }

  async recordHandover(id: string, backendRef: string, clearPendingReason: boolean): Promise<AppState | undefined> {
    this.count('recordHandover');
    const app = this.applications.get(id);
    if (!app) return undefined;
    const next: Application = { ...app, backendRef, updatedAt: this.now() };
    if (clearPendingReason) delete next.pendingReason;
    this.applications.set(id, next);
    return next.state;
  }

  async ensureJob(job: JobSpec): Promise<StoredJob> {
    if (!this.jobs.has(job.id)) this.jobs.set(job.id, { ...copy(job), createdAt: this.now(), updatedAt: this.now() });
    return copy(this.jobs.get(job.id) as StoredJob);
  }

  async putJob(job: JobSpec): Promise<StoredJob> {
    const existing = this.jobs.get(job.id);
    const stored = { ...copy(job), createdAt: existing?.createdAt ?? this.now(), updatedAt: this.now() };
    this.jobs.set(job.id, stored);
    return copy(stored);
  }

  async getJob(id: string): Promise<StoredJob | undefined> {
    const job = this.jobs.get(id);
    return job && copy(job);
  }

  async listJobs(filter: { clusterId?: string }, limit: number, cursor?: string): Promise<Page<StoredJob>> {
    checkLimit(limit);
    const after = cursor === undefined ? undefined : keyOf(cursor, 1)[0];
    const matching = [...this.jobs.values()]
      .filter((j) => filter.clusterId === undefined || j.clusterId === filter.clusterId)
      .sort((a, b) => compareKeys([a.id], [b.id]))
      .filter((j) => after === undefined || j.id > after);
    const items = matching.slice(0, limit).map(copy);
    const last = items[items.length - 1];
    return matching.length > limit && last ? { items, nextCursor: cursorOf([last.id]) } : { items };
  }

  async putTemplate(clusterId: string, template: ConfigTemplate): Promise<StoredTemplate> {
    const key = `${clusterId}/${template.id}`;
    const existing = this.templates.get(key);
    const stored = {
      ...copy(template),
      clusterId,
      createdAt: existing?.createdAt ?? this.now(),
      updatedAt: this.now(),
    };
    this.templates.set(key, stored);
    return copy(stored);
  }

  async getTemplate(clusterId: string, id: string): Promise<StoredTemplate | undefined> {
    const template = this.templates.get(`${clusterId}/${id}`);
    return template && copy(template);
  }

  async listTemplates(clusterId: string): Promise<StoredTemplate[]> {
    return [...this.templates.values()]
      .filter((t) => t.clusterId === clusterId)
      .sort((a, b) => compareKeys([a.id], [b.id]))
      .map(copy);
  }

  async deleteTemplate(clusterId: string, id: string): Promise<boolean> {
    return this.templates.delete(`${clusterId}/${id}`);
  }

  async putCluster(cluster: Omit<StoredCluster, 'createdAt' | 'updatedAt'>): Promise<StoredCluster> {
    const existing = this.clusters.get(cluster.id);
    const stored = { ...copy(cluster), createdAt: existing?.createdAt ?? this.now(), updatedAt: this.now() };
    this.clusters.set(cluster.id, stored);
    return copy(stored);
  }

  async getCluster(id: string): Promise<StoredCluster | undefined> {
    const cluster = this.clusters.get(id);
    return cluster && copy(cluster);
  }

  async listClusters(): Promise<StoredCluster[]> {
    return [...this.clusters.values()].sort((a, b) => compareKeys([a.id], [b.id])).map(copy);
  }

  async deleteCluster(id: string): Promise<boolean> {
    return this.clusters.delete(id);
  }

  async putSessionEndpoint(appId: string, endpoint: ConnectEndpoint): Promise<void> {
    this.sessionStates.set(appId, { ...this.sessionStates.get(appId), appId, endpoint: { ...endpoint } });
  }

  async touchSession(appId: string, at: string): Promise<void> {
    const known = this.sessionStates.get(appId);
    if (known?.lastActivityAt !== undefined && Date.parse(known.lastActivityAt) >= Date.parse(at)) return;
    this.sessionStates.set(appId, { ...known, appId, lastActivityAt: new Date(at).toISOString() });
  }

  async getSessionStates(appIds: string[]): Promise<SessionState[]> {
    return appIds.flatMap((id) => {
      const state = this.sessionStates.get(id);
      return state ? [structuredClone(state)] : [];
    });
  }

  async deleteSessionStates(appIds: string[]): Promise<void> {
    for (const id of appIds) this.sessionStates.delete(id);
  }

  async deleteEndedSessionStates(): Promise<number> {
    const ended = [...this.sessionStates.keys()].filter((id) => {
      const app = this.applications.get(id);
      return !app || isTerminal(app.state);
    });
    for (const id of ended) this.sessionStates.delete(id);
    return ended.length;
  }

  async insertToken(token: ApiToken): Promise<void> {
    for (const stored of this.tokens.values()) {
      if (stored.id === token.id || stored.secretHash === token.secretHash) {
        throw new DomainError('CONFLICT', `a token with id "${token.id}" or the same secret already exists`);
      }
    }
    this.tokens.set(token.id, copy(token));
  }

  async findTokenByHash(secretHash: string): Promise<ApiToken | undefined> {
    const token = [...this.tokens.values()].find((t) => t.secretHash === secretHash && t.revokedAt === undefined);
    return token && copy(token);
  }

  async listTokens(): Promise<ApiToken[]> {
    return [...this.tokens.values()].sort((a, b) => compareKeys([a.createdAt, a.id], [b.createdAt, b.id])).map(copy);
  }

  async revokeToken(id: string, at: string): Promise<boolean> {
    const token = this.tokens.get(id);
    if (!token) return false;
    token.revokedAt ??= at;
    return true;
  }

  async heartbeat(replicaId: string): Promise<void> {
    this.heartbeats.set(replicaId, this.clock.now().getTime());
  }

  /** As the SQL store: unowned, or owned by a replica silent for longer than the lease; oldest first. */
  async claimApplications(replicaId: string, options: ClaimOptions): Promise<Application[]> {
    checkLimit(options.limit);
    const cutoff = this.clock.now().getTime() - options.leaseSeconds * 1000;
    const claimable = [...this.applications.values()]
      .filter((a) => !isTerminal(a.state))
      .filter((a) => {
        const owner = this.owners.get(a.id);
        const heartbeat = owner === undefined ? undefined : this.heartbeats.get(owner);
        return owner === undefined || (heartbeat !== undefined && heartbeat < cutoff);
      })
      .sort((a, b) => compareKeys([a.createdAt, a.id], [b.createdAt, b.id]))
      .slice(0, options.limit);
    for (const app of claimable) this.owners.set(app.id, replicaId);
    return claimable.map(copy);
  }

  async releaseApplications(replicaId: string): Promise<number> {
    let released = 0;
    for (const [appId, owner] of this.owners) {
      const app = this.applications.get(appId);
      if (owner === replicaId && app && !isTerminal(app.state)) {
        this.owners.delete(appId);
        released += 1;
      }
    }
    this.heartbeats.delete(replicaId);
    return released;
  }

  async close(): Promise<void> {}
}

interface SortEntry {
  value: string | number | undefined;
  id: string;
}

/** The application's sort key as the SQL store's column holds it; undefined when it has none. */
function sortKeyOf(app: Application, sort: ApplicationSort): string | number | undefined {
  switch (sort.key) {
    case 'createdAt':
      return app.createdAt;
    case 'startedAt':
      return app.startedAt;
    case 'duration':
      return app.metrics?.durationMs;
    case 'cost':
      return app.metrics?.cost?.total;
    case 'coreHours':
      return app.metrics?.executorCoreSeconds;
  }
}

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
