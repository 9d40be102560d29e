/**
 * The two sides of each shuffle join, as the event log measured them, for the broadcast-candidate
 * rule. A SQL execution's plan (SQLExecutionStart, replaced by each SQLAdaptiveExecutionUpdate)
 * names its joins and the exchange below each side; the exchange's "data size" metric, whose
 * value the stages' accumulables carry, is the bytes of rows that side shuffled. Joins adaptive
 * execution turned into broadcasts are gone from the final plan, so they are not counted.
 * Only the lines of SQL events and completed stages are parsed; a prefix test skips the rest.
 */
import type { ShuffleJoin } from '../domain/metrics';

interface PlanNode {
  nodeName?: string;
  children?: PlanNode[];
  metrics?: { name?: string; accumulatorId?: number }[];
}

const SHUFFLE_JOINS = new Set(['SortMergeJoin', 'ShuffledHashJoin']);
const SQL_EVENT = '{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQL';
const PLAN_EVENTS = new Set([
  'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart',
  'org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate',
]);
const STAGE_COMPLETED = '{"Event":"SparkListenerStageCompleted"';

/** The accumulator of the first exchange's "data size" under a join side (exchanges below it belong to other joins). */
function sideMetric(node: PlanNode): number | undefined {
  if (node.nodeName?.startsWith('Exchange')) {
    return node.metrics?.find((m) => m.name === 'data size')?.accumulatorId;
  }
  // a join below this side is measured on its own; its output is not an exchange of this one
  if (node.nodeName && SHUFFLE_JOINS.has(node.nodeName)) return undefined;
  for (const child of node.children ?? []) {
    const found = sideMetric(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

function joinsOf(node: PlanNode, out: { join: string; sides: number[] }[]): void {
  if (node.nodeName && SHUFFLE_JOINS.has(node.nodeName) && node.children?.length === 2) {
    const sides = node.children.map(sideMetric);
    if (sides.every((s) => s !== undefined)) out.push({ join: node.nodeName, sides: sides as number[] });
  }
  for (const child of node.children ?? []) joinsOf(child, out);
}

export class JoinSideReader {
  /** The latest plan of each SQL execution. */
  private readonly plans = new Map<number, PlanNode>();
  /** Accumulator id -> its largest value in a completed stage. */
  private readonly values = new Map<number, number>();

  add(line: string): void {
    if (line.startsWith(STAGE_COMPLETED)) {
      if (!line.includes('"data size"')) return;
      const accumulables = this.parse(line)?.['Stage Info']?.Accumulables;
      if (!Array.isArray(accumulables)) return;
      for (const a of accumulables as { ID?: unknown; Name?: unknown; Value?: unknown }[]) {
        const value = Number(a.Value);
        if (a.Name !== 'data size' || typeof a.ID !== 'number' || !Number.isFinite(value)) continue;
        this.values.set(a.ID, Math.max(this.values.get(a.ID) ?? 0, value));
      }
      return;
    }
    if (!line.startsWith(SQL_EVENT)) return;
    const event = this.parse(line);
    if (!PLAN_EVENTS.has(event?.Event as string)) return;
    const id = event?.executionId;
    if (typeof id === 'number' && event?.sparkPlanInfo) this.plans.set(id, event.sparkPlanInfo as PlanNode);
  }

  /** The shuffle joins whose two sides were both measured. */
  result(): ShuffleJoin[] {
    const joins: ShuffleJoin[] = [];
    for (const [executionId, plan] of this.plans) {
      const found: { join: string; sides: number[] }[] = [];
      joinsOf(plan, found);
      for (const { join, sides } of found) {
        const bytes = sides.map((id) => this.values.get(id));
        if (bytes.some((b) => b === undefined)) continue;
        const [a, b] = bytes as [number, number];
        joins.push({ executionId, join, smallerSideBytes: Math.min(a, b), largerSideBytes: Math.max(a, b) });
      }
    }
    return joins;
  }

  private parse(line: string): (Record<string, unknown> & { 'Stage Info'?: { Accumulables?: unknown } }) | undefined {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      // a line cut mid-write: the main decoder counts it
      return undefined;
    }
  }
}
