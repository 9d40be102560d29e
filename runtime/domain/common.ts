/** Small shapes every resource uses: ids, timestamps and pages of results. */
import { z } from 'zod';

/** Ids of clusters, jobs, apps and templates: DNS-label-like, because they name Kubernetes objects. */
export const ResourceId = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
  message: 'is not an id of lowercase letters, digits and "-" (1 to 63 characters, starting and ending alphanumeric)',
});

/** An instant as ISO 8601 with its offset, e.g. "2026-12-02T13:43:36.000Z". */
export const Timestamp = z.iso.datetime({ offset: true }).meta({ examples: ['2026-12-02T13:43:36.000Z'] });

/** Opaque cursor of the next page; absent on the last page. */
export const NextCursor = z
  .string()
  .min(1)
  .meta({ description: 'Pass as `cursor` to get the next page; absent on the last page.' });

/** A page of results: the items and, unless it is the last page, the cursor of the next one. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.strictObject({ items: z.array(item), nextCursor: NextCursor.optional() });
}

/** Every item at once (lists that are short by nature: clusters, templates, tokens). */
export function listOf<T extends z.ZodType>(item: T) {
  return z.strictObject({ items: z.array(item) });
}

export type Page<T> = z.infer<ReturnType<typeof pageOf<z.ZodType<T>>>>;
