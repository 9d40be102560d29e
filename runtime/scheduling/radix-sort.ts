/**
 * A stable sort of indices by a number key, in linear time: an LSD radix sort of the keys' IEEE 754
 * bits, 11 bits a pass. The planner sorts tens of thousands of applications several times a plan;
 * comparator sorts cost n log n calls of a closure, this costs a few passes over typed arrays.
 */

const DIGIT_BITS = 11;
const BUCKETS = 1 << DIGIT_BITS;
const DIGIT_MASK = BUCKETS - 1;
/** 64 bits in digits of 11: the last one holds the top 9 bits. */
const PASSES = Math.ceil(64 / DIGIT_BITS);

const scratchKey = new Float64Array(1);
const scratchBits = new Uint32Array(scratchKey.buffer);

/**
 * Sorts index arrays of one length, reusing its buffers from one sort to the next (a plan sorts
 * its queue several times; new buffers each time would be garbage to collect).
 */
export class RadixSorter {
  private readonly low: Uint32Array;
  private readonly high: Uint32Array;
  private readonly spareIndex: Int32Array;
  private readonly spareLow: Uint32Array;
  private readonly spareHigh: Uint32Array;
  private readonly counts = new Int32Array(PASSES * BUCKETS);

  constructor(readonly length: number) {
    this.low = new Uint32Array(length);
    this.high = new Uint32Array(length);
    this.spareIndex = new Int32Array(length);
    this.spareLow = new Uint32Array(length);
    this.spareHigh = new Uint32Array(length);
  }

  /**
   * Reorders `index` (of this sorter's length) by `key[i]` ascending (descending with
   * `descending`), equal keys keeping their order in `index`. Keys are compared as numbers: -0
   * equals 0; NaN is not expected.
   */
  sort(index: Int32Array, key: Float64Array, descending = false): void {
    const n = this.length;
    if (index.length !== n) throw new Error(`a sorter of ${n} was given ${index.length} indices`);
    if (n < 2) return;
    const { low, high, counts } = this;
    // the key's bits made unsigned-comparable: negatives flipped whole, positives get the sign bit
    for (let p = 0; p < n; p++) {
      scratchKey[0] = (descending ? -key[index[p]!]! : key[index[p]!]!) + 0;
      const lo = scratchBits[0]!;
      const hi = scratchBits[1]!;
      if (hi & 0x80000000) {
        low[p] = ~lo >>> 0;
        high[p] = ~hi >>> 0;
      } else {
        low[p] = lo;
        high[p] = (hi | 0x80000000) >>> 0;
      }
    }
    counts.fill(0);
    for (let p = 0; p < n; p++) {
      for (let pass = 0; pass < PASSES; pass++) counts[pass * BUCKETS + digit(low[p]!, high[p]!, pass)]!++;
    }
    let from = index;
    let fromLow = low;
    let fromHigh = high;
    let to = this.spareIndex;
    let toLow = this.spareLow;
    let toHigh = this.spareHigh;
    for (let pass = 0; pass < PASSES; pass++) {
      const base = pass * BUCKETS;
      // a digit all keys share moves nothing
      if (counts[base + digit(fromLow[0]!, fromHigh[0]!, pass)] === n) continue;
      let offset = 0;
      for (let b = 0; b < BUCKETS; b++) {
        const count = counts[base + b]!;
        counts[base + b] = offset;
        offset += count;
      }
      for (let p = 0; p < n; p++) {
        const at = counts[base + digit(fromLow[p]!, fromHigh[p]!, pass)]!++;
        to[at] = from[p]!;
        toLow[at] = fromLow[p]!;
        toHigh[at] = fromHigh[p]!;
      }
      const swapIndex = from;
      from = to;
      to = swapIndex;
      const swapLow = fromLow;
      fromLow = toLow;
      toLow = swapLow;
      const swapHigh = fromHigh;
      fromHigh = toHigh;
      toHigh = swapHigh;
    }
    if (from !== index) index.set(from);
  }
}

function digit(low: number, high: number, pass: number): number {
  const shift = pass * DIGIT_BITS;
  if (shift + DIGIT_BITS <= 32) return (low >>> shift) & DIGIT_MASK;
  if (shift >= 32) return (high >>> (shift - 32)) & DIGIT_MASK;
  // the digit that straddles the two words
  return ((low >>> shift) | (high << (32 - shift))) & DIGIT_MASK;
}
