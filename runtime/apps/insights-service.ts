/**
 * What the dashboards read beyond the resources themselves: the cost report and a cluster's
 * summary over a window. Every figure is summed by the store (GROUP BY over indexed columns); this
 * use case checks who asks, picks the rows, and shapes them (runtime/metrics/spend-report.ts).
 */
import { DomainError, notFound } from '../domain/errors';
import type { ClusterSummary, CostQuery, CostReport, SummaryWindow } from '../domain/insights';
import type { Clock, EndedFilter, Store } from '../domain/ports';
import { ACTIVE_STATES, type AppState } from '../domain/states';
import { sampleActivity, WINDOWS } from '../metrics/activity';
import { byCost, dailyGroups, daysOf, efficiencyOf, spendOf, totalOf } from '../metrics/spend-report';
import { authorize, authorizeFound, type Principal } from './principal';

/** The longest range a cost report covers: a year and a day, so one report stays one page. */
const MAX_RANGE_DAYS = 367;

export class InsightsService {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  /** Applications that ended in [from, to), per day (UTC) and group; a limited token sees only its clusters and jobs. */
  async costs(query: CostQuery, actor?: Principal): Promise<CostReport> {
    const days = (Date.parse(query.to) - Date.parse(query.from)) / 86_400_000;
    if (days > MAX_RANGE_DAYS) {
      const message = `"${query.to}" is ${Math.ceil(days)} days after from: expected at most ${MAX_RANGE_DAYS}`;
      throw new DomainError('VALIDATION_FAILED', `to: ${message}`, [{ path: 'to', message }]);
    }
    const scope = this.visible(actor, query.clusterId);
    const filter: EndedFilter = { endedFrom: query.from, endedTo: query.to, ...scope };
    const by = query.groupBy;
    const labelKey = query.labelKey;
    const grouping = { by, ...(by === 'label' && labelKey !== undefined ? { labelKey } : {}) };
    // the range's total is the sum of its days: one pass over the applications fewer
    const [groupRows, dayTotals] = await Promise.all([
      this.deps.store.sumSpend({ ...filter, ...grouping }),
      this.deps.store.sumSpend({ ...filter, perDay: true }),
    ]);
    const sum = totalOf(dayTotals);
    const total = spendOf(sum);
    const ranked = groupRows.map((row) => ({ key: row.key ?? '', ...spendOf(row) })).sort(byCost);
    const top = ranked.slice(0, query.top);
    const topRows =
      top.length === 0
        ? []
        : await this.deps.store.sumSpend({ ...filter, ...grouping, perDay: true, keys: top.map((g) => g.key) });
    const currency = sum?.currency;
    return {
      from: query.from,
      to: query.to,
      groupBy: by,
      ...(by === 'label' && labelKey !== undefined ? { labelKey } : {}),
      ...(currency !== undefined ? { currency } : {}),
      total,
      days: dailyGroups({ days: daysOf(query.from, query.to), topRows, dayTotals }),
      top: top.map((group) => ({
        ...group,
        share: total.cost > 0 ? Math.min(1, group.cost / total.cost) : 0,
      })),
    };
  }

  /** A cluster's spend, states, ends per day and activity over the last 24 h, 7 d or 30 d. */
  async clusterSummary(clusterId: string, window: SummaryWindow, actor?: Principal): Promise<ClusterSummary> {
    authorizeFound(actor, 'applications:read', { clusterId }, notFound('cluster', clusterId));
    if (!(await this.deps.store.getCluster(clusterId))) throw notFound('cluster', clusterId);
    const { ms, steps } = WINDOWS[window];
    const now = this.deps.clock.now();
    const to = now.toISOString();
    const from = new Date(now.getTime() - ms).toISOString();
    const jobIds = actor && !actor.scopes.includes('admin') ? actor.jobIds : undefined;
    const filter: EndedFilter = {
      endedFrom: from,
      endedTo: to,
      clusterIds: [clusterId],
      ...(jobIds ? { jobIds } : {}),
    };
    const [ended, intervals] = await Promise.all([
      this.deps.store.sumSpend({ ...filter, by: 'state', perDay: true }),
      this.deps.store.listActivity(clusterId, from, to, jobIds),
    ]);

    const counts = new Map<AppState, number>();
    for (const i of intervals) if (ACTIVE_STATES.includes(i.state)) counts.set(i.state, (counts.get(i.state) ?? 0) + 1);
    const perDay = new Map(
      daysOf(from, to).map((day) => [day, { day, completed: 0, failed: 0, killed: 0, timedOut: 0 }]),
    );
    for (const row of ended) {
      const state = row.key as AppState;
      counts.set(state, (counts.get(state) ?? 0) + row.applications);
      const day = perDay.get(row.day ?? '');
      if (!day) continue;
      if (state === 'COMPLETED' || state === 'COMPLETED_WITH_WARNINGS') day.completed += row.applications;
      else if (state === 'FAILED') day.failed += row.applications;
      else if (state === 'KILLED') day.killed += row.applications;
      else if (state === 'TIMED_OUT') day.timedOut += row.applications;
    }
    const total = totalOf(ended);
    const efficiency = efficiencyOf(total);
    return {
      clusterId,
      window,
      from,
      to,
      ...(total?.currency !== undefined ? { currency: total.currency } : {}),
      totals: {
        ...spendOf(total),
        inputBytes: total?.inputBytes ?? 0,
        outputBytes: total?.outputBytes ?? 0,
        ...(efficiency !== undefined ? { efficiency } : {}),
      },
      countsByState: [...counts].map(([state, count]) => ({ state, count })),
      endedPerDay: [...perDay.values()],
      activity: sampleActivity(intervals, from, to, steps),
    };
  }

  /** The clusters and jobs the caller may see: undefined for "all". */
  private visible(actor: Principal | undefined, clusterId?: string): { clusterIds?: string[]; jobIds?: string[] } {
    authorize(actor, 'applications:read', actor?.clusterIds && clusterId !== undefined ? { clusterId } : {});
    const limited = actor !== undefined && !actor.scopes.includes('admin');
    const clusterIds = clusterId !== undefined ? [clusterId] : limited ? actor.clusterIds : undefined;
    const jobIds = limited ? actor.jobIds : undefined;
    return { ...(clusterIds ? { clusterIds } : {}), ...(jobIds ? { jobIds } : {}) };
  }
}
