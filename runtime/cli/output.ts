/** How the CLI prints for people: aligned columns (as kubectl and gh do), labelled fields, units. */

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

/** A header row and one row per item, columns padded to their widest cell and 3 spaces apart. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = [columns.map((c) => c.header), ...rows.map((row) => columns.map((c) => format(c.value(row))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells
    .map((line) =>
      line
        .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

/** `Label:  value` lines with the values aligned; a multi-line value continues under its first line. */
export function fields(entries: readonly (readonly [string, unknown])[]): string {
  const width = Math.max(...entries.map(([label]) => label.length)) + 2;
  return entries
    .map(([label, value]) => {
      const [first, ...rest] = format(value).split('\n');
      return [`${`${label}:`.padEnd(width)}${first}`, ...rest.map((line) => `${' '.repeat(width)}${line}`)].join('\n');
    })
    .join('\n');
}

export function format(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** 41s, 5m03s, 2h05m. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** From `startedAt` to `endedAt`, or to now while it runs; undefined before the start. */
export function elapsed(
  startedAt: string | undefined,
  endedAt: string | undefined,
  now = Date.now(),
): number | undefined {
  if (!startedAt) return undefined;
  return (endedAt ? Date.parse(endedAt) : now) - Date.parse(startedAt);
}

/** 0 B, 512 B, 1.5 KiB, 12.3 MiB, 1.2 GiB (binary units, as Spark's UI). */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Two significant digits below 1 (0.0021, 0.02), two decimals above (12.35): costs and core-hours. */
export function amount(n: number): string {
  if (n === 0) return '0';
  if (Math.abs(n) >= 1) return n.toFixed(2);
  const decimals = 1 - Math.floor(Math.log10(Math.abs(n)));
  return n.toFixed(decimals).replace(/0+$/, '').replace(/\.$/, '');
}

/** A share 0..1 as a whole percentage. */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

const BARS = '▁▂▃▄▅▆▇█';

/** One bar per value, scaled from the smallest (▁) to the largest (█). */
export function sparkline(values: readonly number[]): string {
  const min = Math.min(...values);
  const span = Math.max(...values) - min;
  return values.map((v) => BARS[span === 0 ? 0 : Math.round(((v - min) / span) * (BARS.length - 1))]).join('');
}
