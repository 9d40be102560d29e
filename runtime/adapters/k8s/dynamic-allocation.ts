/**
 * Spark's dynamic allocation settings, moved from sparkConf to spec.dynamicAllocation so that
 * spark-operator sees them (it sets the matching conf itself, and needs them to size the app).
 */
import type { SparkApplicationSpec } from './spark-application';

type DynamicAllocation = NonNullable<SparkApplicationSpec['dynamicAllocation']>;

const PREFIX = 'spark.dynamicAllocation.';
const INTEGER_KEYS = {
  initialExecutors: `${PREFIX}initialExecutors`,
  minExecutors: `${PREFIX}minExecutors`,
  maxExecutors: `${PREFIX}maxExecutors`,
} as const;
const SHUFFLE_TRACKING = `${PREFIX}shuffleTracking.enabled`;
const SHUFFLE_TRACKING_TIMEOUT = `${PREFIX}shuffleTracking.timeout`;

const MS_PER_UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** A Spark time conf ("60s", "5min", "30000" which Spark reads as ms) in milliseconds. */
export function parseSparkDurationMs(value: string): number | undefined {
  const match = /^(\d+)\s*(ms|s|m|min|h|d)?$/i.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * MS_PER_UNIT[(match[2] ?? 'ms').toLowerCase()]!;
}

/**
 * Splits sparkConf into what stays in sparkConf and spec.dynamicAllocation (absent unless
 * spark.dynamicAllocation.enabled is "true"). Values that cannot be mapped stay in sparkConf.
 */
export function extractDynamicAllocation(sparkConf: Record<string, string>): {
  sparkConf: Record<string, string>;
  dynamicAllocation?: DynamicAllocation;
} {
  if (sparkConf[`${PREFIX}enabled`]?.trim().toLowerCase() !== 'true') return { sparkConf: { ...sparkConf } };
  const rest = { ...sparkConf };
  delete rest[`${PREFIX}enabled`];
  const dynamicAllocation: DynamicAllocation = { enabled: true };
  for (const [field, key] of Object.entries(INTEGER_KEYS) as [keyof typeof INTEGER_KEYS, string][]) {
    const raw = rest[key]?.trim();
    if (raw !== undefined && /^\d+$/.test(raw)) {
      dynamicAllocation[field] = Number(raw);
      delete rest[key];
    }
  }
  const tracking = rest[SHUFFLE_TRACKING]?.trim().toLowerCase();
  // without an external shuffle service (none on Kubernetes) dynamic allocation needs shuffle tracking
  dynamicAllocation.shuffleTrackingEnabled = tracking === undefined ? true : tracking === 'true';
  delete rest[SHUFFLE_TRACKING];
  const timeout = rest[SHUFFLE_TRACKING_TIMEOUT];
  const timeoutMs = timeout === undefined ? undefined : parseSparkDurationMs(timeout);
  if (timeoutMs !== undefined) {
    dynamicAllocation.shuffleTrackingTimeout = timeoutMs;
    delete rest[SHUFFLE_TRACKING_TIMEOUT];
  }
  return { sparkConf: rest, dynamicAllocation };
}
