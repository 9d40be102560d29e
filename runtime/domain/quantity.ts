/**
 * Memory and CPU quantities in the forms Spark and Kubernetes both understand.
 *
 * Memory follows Spark's reading, because these values end up in spark.*.memory:
 * a suffix k/m/g/t (any case, optionally followed by "b") or a Kubernetes binary suffix
 * Ki/Mi/Gi/Ti means powers of 1024. A bare number is rejected: Spark reads it as MiB and
 * Kubernetes as bytes, so it is ambiguous.
 */

const MEMORY_PATTERN = /^(\d+(?:\.\d+)?)(k|kb|ki|m|mb|mi|g|gb|gi|t|tb|ti)$/i;
const MIB_PER_UNIT: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };

export const MEMORY_EXPECTED = 'a Kubernetes quantity such as "8g" or "8192m"';
export const CPU_EXPECTED = 'a CPU quantity such as "1", "0.5" or "3460m"';

/** Parses a memory quantity to MiB (rounded up), or returns undefined when it is not one. */
export function parseMemoryMiB(quantity: string): number | undefined {
  const match = MEMORY_PATTERN.exec(quantity.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2]!.toLowerCase()[0]!;
  const mib = Math.ceil(amount * MIB_PER_UNIT[unit]!);
  return mib > 0 ? mib : undefined;
}

/** The canonical Spark form of a memory quantity: whole MiB, e.g. "8192m". */
export function toSparkMemory(mib: number): string {
  return `${Math.ceil(mib)}m`;
}

/** Memory as a short human form: 8192 -> "8g", 1536 -> "1536m". */
export function formatMemory(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}g` : `${Math.ceil(mib)}m`;
}

const CPU_PATTERN = /^(?:(\d+(?:\.\d+)?)|(\d+)m)$/;

/** Parses a Kubernetes CPU quantity to millicores, or returns undefined when it is not one. */
export function parseCpuMillis(quantity: string): number | undefined {
  const match = CPU_PATTERN.exec(quantity.trim());
  if (!match) return undefined;
  const millis = match[1] !== undefined ? Math.round(Number(match[1]) * 1000) : Number(match[2]);
  return millis > 0 ? millis : undefined;
}
