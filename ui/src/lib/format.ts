/** How figures are written on every page. */
// pure functions, no schema: Spark's memory forms are written as the runtime writes them
import { formatMemory, parseMemoryMiB } from '../../../runtime/domain/quantity';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso: string | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** `value` rounded to `digits` decimals, with a result of zero unsigned: -0.00001 reads "0", never "-0". */
function roundedForDisplay(value: number, digits: number): number {
  const rounded = Number(value.toFixed(digits));
  return rounded === 0 ? 0 : rounded;
}

export function formatMoney(amount: number | undefined, currency = 'USD'): string {
  if (amount === undefined) return '—';
  const digits = amount !== 0 && Math.abs(amount) < 1 ? 4 : 2;
  const shown = roundedForDisplay(amount, digits);
  try {
    return new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(shown);
  } catch {
    return `${shown.toFixed(4)} ${currency}`;
  }
}

export function formatNumber(value: number | undefined, digits = 2): string {
  return value === undefined
    ? '—'
    : roundedForDisplay(value, digits).toLocaleString(undefined, { maximumFractionDigits: digits });
}

export function formatPercent(share: number | undefined): string {
  return share === undefined ? '—' : `${(share * 100).toFixed(1)} %`;
}

/** A cluster's nodes: "2 of 3 Ready", "3 Ready" when all are, "—" when unknown. */
export function formatNodes(nodes: { total: number; ready: number } | undefined): string {
  if (nodes === undefined) return '—';
  return nodes.ready === nodes.total ? `${nodes.total} Ready` : `${nodes.ready} of ${nodes.total} Ready`;
}

/** Core-hours of a run from its metrics (executor core-seconds). */
export function coreHours(executorCoreSeconds: number | undefined): number | undefined {
  return executorCoreSeconds === undefined ? undefined : executorCoreSeconds / 3600;
}

/** A config value as text: strings as is, everything else as JSON. */
export function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Spark conf keys whose value is a byte count (Spark reads a bare number there as bytes). */
const BYTE_SIZE_CONF = /^\/sparkConf\/spark\..*(?:Bytes|JoinThreshold)$/;

/** Executor and driver memory ("/executor/memory", "/driver/memoryOverhead", "spark.executor.memory"...). */
const MEMORY_KEY = /(?:^\/(?:executor|driver)\/memory(?:Overhead)?|^\/sparkConf\/spark\..*\.memory(?:Overhead)?)$/;

/**
 * A config value under `pointer`: a byte count of a size key in binary units ("1.0 GiB"), memory as
 * Spark writes it at its shortest ("5120m" reads "5g"), others as formatValue.
 */
export function formatConfigValue(pointer: string, value: unknown): string {
  if (MEMORY_KEY.test(pointer) && typeof value === 'string') {
    const mib = parseMemoryMiB(value);
    return mib === undefined ? value : formatMemory(mib);
  }
  const bytes = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return BYTE_SIZE_CONF.test(pointer) && typeof bytes === 'number' && Number.isSafeInteger(bytes) && bytes >= 0
    ? formatBytes(bytes)
    : formatValue(value);
}

/** A long name as lines of at most 80 characters, broken at spaces where it has them (tooltip titles). */
export function wrap(text: string, width = 80): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    for (let rest = word; rest.length > 0;) {
      const room = width - (line ? line.length + 1 : 0);
      if (rest.length <= room) {
        line = line ? `${line} ${rest}` : rest;
        rest = '';
      } else if (line) {
        lines.push(line);
        line = '';
      } else {
        lines.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
    }
  }
  if (line) lines.push(line);
  return lines;
}
