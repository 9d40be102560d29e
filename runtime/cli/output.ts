/** Human tables by default, JSON for scripts. */
import Table from 'cli-table3';
import { nextRunOf, type Schedule } from '../domain/resources';

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const out = new Table({ head: columns.map((c) => c.header), style: { head: [], border: [] } });
  for (const row of rows) out.push(columns.map((c) => format(c.value(row))));
  return out.toString();
}

export function format(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function durationOf(startedAt?: string, endedAt?: string): string {
  if (!startedAt) return '-';
  const ms = (endedAt ? Date.parse(endedAt) : Date.now()) - Date.parse(startedAt);
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** "0 2 * * * (Europe/Paris)", with "disabled" when it is off; undefined without a schedule. */
export function scheduleText(schedule: Schedule | undefined): string | undefined {
  if (!schedule) return undefined;
  return `${schedule.cron} (${schedule.timezone})${schedule.enabled ? '' : ' disabled'}`;
}

/** The schedule's next run from now, as an instant; undefined without one. */
export function nextRunText(schedule: Schedule | undefined): string | undefined {
  return schedule && nextRunOf(schedule, new Date())?.toISOString();
}
