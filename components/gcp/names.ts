/**
 * GCP names and labels derived from the cluster name: deterministic (no random suffix), so a
 * re-render never renames (and replaces) a resource, and cut to each service's length limit with
 * a short hash so that two long names never collide. Pure.
 */

function shortHash(value: string): string {
  let h = 2166136261;
  for (const c of value) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h.toString(36).slice(0, 6);
}

/** `base-suffix` within `max` characters, ending with a letter or digit. */
export function boundedName(base: string, suffix: string, max: number): string {
  const full = `${base}-${suffix}`;
  if (full.length <= max) return full;
  const hash = shortHash(full);
  const keep = max - suffix.length - hash.length - 2;
  return `${base.slice(0, keep).replace(/-+$/, '')}-${hash}-${suffix}`;
}

/** GCP labels: lowercase keys and values of letters, digits, `_` and `-`, 63 characters at most. */
export function gcpLabels(tags: Record<string, string>): Record<string, string> {
  const clean = (value: string) =>
    value
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, '_')
      .slice(0, 63);
  return Object.fromEntries(
    Object.entries(tags).map(([key, value]) => {
      const k = clean(key);
      return [/^[a-z]/.test(k) ? k : `k_${k}`.slice(0, 63), clean(value)];
    }),
  );
}
