/**
 * "First meaningful paint" marks: a page marks once, after the frame that shows its first data
 * (a row, a chart), so that benchmarks read `performance.getEntriesByName('sparkplane:paint:<page>')`.
 */
const marked = new Set<string>();

export function markPainted(page: string): void {
  if (marked.has(page)) return;
  marked.add(page);
  // the frame after the commit is the one that shows the data
  requestAnimationFrame(() => setTimeout(() => performance.mark(`sparkplane:paint:${page}`), 0));
}
