/**
 * Median and maximum of one stage's task times in bounded memory. The first `exactLimit` values
 * are kept as they are (exact median); past that they move into a log-bucket histogram whose
 * median has a relative error of at most (gamma - 1) / (gamma + 1), about 1% for gamma 1.02
 * (the DDSketch idea). Memory per stage: at most 8 x exactLimit bytes, then a fixed 5.6 KB.
 */

/** Ratio between histogram bucket bounds: each bucket spans [gamma^(i-1), gamma^i). */
const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);
/** Enough buckets for task times up to about 30 years in ms; longer ones land in the last bucket. */
const BUCKETS = 1500;

export class TaskTimeSketch {
  private exact: Float64Array | undefined;
  private buckets: Uint32Array | undefined;
  /** Values <= 1 ms, which the log scale cannot hold. */
  private small = 0;
  count = 0;
  max = 0;

  /** @param exactLimit values kept exactly before switching to the histogram. @default 1024 */
  constructor(private readonly exactLimit = 1024) {
    this.exact = new Float64Array(Math.max(1, Math.min(16, exactLimit)));
  }

  add(valueMs: number): void {
    if (valueMs > this.max || this.count === 0) this.max = valueMs;
    const exact = this.exact;
    if (exact !== undefined) {
      if (this.count < exact.length) {
        exact[this.count++] = valueMs;
        return;
      }
      if (this.count < this.exactLimit) {
        const grown = new Float64Array(Math.min(exact.length * 2, this.exactLimit));
        grown.set(exact);
        grown[this.count++] = valueMs;
        this.exact = grown;
        return;
      }
      this.toHistogram(exact);
    }
    this.bucketAdd(valueMs);
    this.count++;
  }

  /** Median (the mean of the two middle values for an even count); 0 when empty. */
  median(): number {
    if (this.count === 0) return 0;
    if (this.exact !== undefined) {
      const sorted = this.exact.slice(0, this.count).sort();
      const mid = this.count >> 1;
      return this.count % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    }
    return (this.rankValue((this.count - 1) >> 1) + this.rankValue(this.count >> 1)) / 2;
  }

  private toHistogram(exact: Float64Array): void {
    this.buckets = new Uint32Array(BUCKETS);
    for (let i = 0; i < this.count; i++) this.bucketAdd(exact[i]!);
    this.exact = undefined;
  }

  private bucketAdd(valueMs: number): void {
    if (valueMs <= 1) {
      this.small++;
      return;
    }
    const index = Math.min(BUCKETS - 1, Math.ceil(Math.log(valueMs) / LOG_GAMMA));
    this.buckets![index]!++;
  }

  /** Value of the element of 0-based rank `rank` (bucket midpoint in the histogram phase). */
  private rankValue(rank: number): number {
    let seen = this.small;
    if (rank < seen) return 1;
    const buckets = this.buckets!;
    for (let i = 0; i < BUCKETS; i++) {
      seen += buckets[i]!;
      if (rank < seen) return (2 * Math.pow(GAMMA, i)) / (GAMMA + 1);
    }
    return this.max;
  }
}
