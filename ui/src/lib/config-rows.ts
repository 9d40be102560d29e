/** The effective configuration as rows: every leaf with its JSON pointer, its source layer and the tuner's reason. */
import type { Application, ConfigLayer, TuningChange } from './types';

export interface ConfigRow {
  /** JSON pointer (RFC 6901), as provenance names it. */
  pointer: string;
  /** The same path for reading, e.g. "executor.memory" or "sparkConf.spark.sql.shuffle.partitions". */
  key: string;
  value: unknown;
  /** The layer that set it; 'default' for what the runtime adds itself (e.g. the time-out), which no layer set. */
  source: ConfigLayer | 'default';
  /** Why the tuner set it, for values that tuning set. */
  reason: string | undefined;
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Leaves as the config merge sees them: objects merge key by key, anything else (arrays too) is one value. */
function leaves(value: unknown, path: string[], out: { path: string[]; value: unknown }[]): void {
  if (isObject(value) && (path.length === 0 || Object.keys(value).length > 0)) {
    for (const [key, child] of Object.entries(value)) leaves(child, [...path, key], out);
  } else out.push({ path, value });
}

export function configRows(
  app: Pick<Application, 'config' | 'provenance'>,
  changes: readonly TuningChange[] = [],
): ConfigRow[] {
  const out: { path: string[]; value: unknown }[] = [];
  leaves(app.config, [], out);
  const reasons = new Map(changes.map((c) => [c.pointer, c.reason]));
  return out.map(({ path, value }) => {
    const pointer = path.map((k) => `/${escape(k)}`).join('');
    return {
      pointer,
      key: path.join('.'),
      value,
      source: app.provenance[pointer] ?? 'default',
      reason: reasons.get(pointer),
    };
  });
}

export const SOURCE_NAMES: Record<ConfigLayer | 'default', string> = {
  default: 'Runtime default',
  template: 'Template',
  tuning: 'Tuning',
  job: 'Job config',
  overrides: 'Override',
};
