/**
 * Pure: the sums the store grouped (SpendRow) into what the Costs and Cluster pages show, and the
 * days of a range. No I/O: the use cases read the rows, these functions shape them.
 */
import type { CostGroup, SpendFigures } from '../domain/insights';
import type { SpendRow } from '../domain/ports';

const DAY_MS = 86_400_000;

/** The key of the group that sums every key outside the top ones, on each day of a cost report. */
export const OTHER_KEY = '(other)';

/** Every UTC day touched by [from, to), oldest first, as "YYYY-MM-DD". */
export function daysOf(from: string, to: string): string[] {
  const first = Math.floor(Date.parse(from) / DAY_MS);
  const last = Math.floor((Date.parse(to) - 1) / DAY_MS);
  const days: string[] = [];
  for (let day = first; day <= last; day++) days.push(new Date(day * DAY_MS).toISOString().slice(0, 10));
  return days;
}

export function spendOf(row: SpendRow | undefined): SpendFigures {
  return {
    cost: row?.cost ?? 0,
    coreHours: (row?.executorCoreSeconds ?? 0) / 3600,
    applicationHours: (row?.durationMs ?? 0) / 3_600_000,
    applications: row?.applications ?? 0,
  };
}

/**
 * The sum of grouped rows (e.g. of every day of a range): the same figures one ungrouped sum
 * would give, without a second pass over the applications. Undefined when there are no rows.
 */
export function totalOf(rows: SpendRow[]): SpendRow | undefined {
  if (rows.length === 0) return undefined;
  const total: SpendRow = {
    applications: 0,
    cost: 0,
    executorCoreSeconds: 0,
    durationMs: 0,
    inputBytes: 0,
    outputBytes: 0,
    executorRunTimeMs: 0,
    measured: 0,
  };
  for (const row of rows) {
    total.applications += row.applications;
    total.cost += row.cost;
    total.executorCoreSeconds += row.executorCoreSeconds;
    total.durationMs += row.durationMs;
    total.inputBytes += row.inputBytes;
    total.outputBytes += row.outputBytes;
    total.executorRunTimeMs += row.executorRunTimeMs;
    total.measured += row.measured;
    // as the store's max(currency): the greatest
    if (row.currency !== undefined && (total.currency === undefined || row.currency > total.currency)) {
      total.currency = row.currency;
    }
  }
  return total;
}

/** Largest cost first, then by key, so equal costs keep a stable order. */
export function byCost<T extends { cost: number; key: string }>(a: T, b: T): number {
  return b.cost - a.cost || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** What remains of `total` once `parts` are taken out (never below 0: sums of floats may overshoot). */
function remainder(total: SpendFigures, parts: SpendFigures[]): SpendFigures {
  const left = (pick: (s: SpendFigures) => number) =>
    Math.max(0, pick(total) - parts.reduce((sum, part) => sum + pick(part), 0));
  return {
    cost: left((s) => s.cost),
    coreHours: left((s) => s.coreHours),
    applicationHours: left((s) => s.applicationHours),
    applications: Math.round(left((s) => s.applications)),
  };
}

export interface DailyGroupsInput {
  days: string[];
  /** Per day and key, for the top keys only. */
  topRows: SpendRow[];
  /** Per day, every application. */
  dayTotals: SpendRow[];
}

/**
 * Each day's groups, largest cost first: the top keys of the range, then one group "(other)"
 * with the rest of the day, when there is any, so that a day's groups add up to its total.
 */
export function dailyGroups(input: DailyGroupsInput): { day: string; groups: CostGroup[] }[] {
  const totals = new Map(input.dayTotals.map((row) => [row.day, row]));
  const groupsByDay = new Map<string, CostGroup[]>();
  for (const row of input.topRows) {
    const groups = groupsByDay.get(row.day ?? '') ?? [];
    groups.push({ key: row.key ?? '', ...spendOf(row) });
    groupsByDay.set(row.day ?? '', groups);
  }
  return input.days.map((day) => {
    const groups = (groupsByDay.get(day) ?? []).sort(byCost);
    const total = totals.get(day);
    if (total) {
      const rest = remainder(spendOf(total), groups);
      if (rest.applications > 0) groups.push({ key: OTHER_KEY, ...rest });
    }
    return { day, groups };
  });
}

/** Sum of task time over sum of executor core uptime, from the measured runs; undefined without one. */
export function efficiencyOf(row: SpendRow | undefined): number | undefined {
  if (!row || row.measured === 0 || row.executorCoreSeconds <= 0) return undefined;
  return row.executorRunTimeMs / 1000 / row.executorCoreSeconds;
}
