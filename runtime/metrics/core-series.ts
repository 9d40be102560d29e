/**
 * Cores allocated and busy over a run, in bounded memory whatever its length: task time goes into
 * buckets of equal width from the run's start, and when a task ends past the last bucket, pairs of
 * buckets merge and the width doubles. The series is made of whole buckets, so each step's busy
 * time is exact; allocated is averaged over the same steps, which keeps busy <= allocated whenever
 * tasks run on live executors within their cores.
 */
import type { CoreSample } from '../domain/timeline';

/** Buckets kept at most: twice the steps shown, so merging never leaves fewer than half. */
const MAX_BUCKETS = 400;
/** Steps in a series at most. */
export const MAX_STEPS = 200;
/** Width of a bucket until the run outgrows MAX_BUCKETS of them, ms. */
const INITIAL_WIDTH_MS = 100;

export interface CoreInterval {
  cores: number;
  fromMs: number;
  toMs: number;
}

export class CoreSeries {
  private origin: number | undefined;
  private width = INITIAL_WIDTH_MS;
  private buckets: number[] = [];

  /** Where the series starts (the application start); times before it count from it. Only the first call counts. */
  start(atMs: number): void {
    if (this.origin === undefined && atMs > 0) this.origin = atMs;
  }

  /** A task that ran over [fromMs, toMs). */
  addBusy(fromMs: number, toMs: number): void {
    if (!(toMs > 0)) return;
    this.start(fromMs > 0 ? fromMs : toMs);
    const origin = this.origin!;
    const from = Math.max(origin, fromMs);
    if (toMs <= from) return;
    while (toMs - origin > this.width * MAX_BUCKETS) this.coarsen();
    const first = Math.floor((from - origin) / this.width);
    const last = Math.min(MAX_BUCKETS - 1, Math.ceil((toMs - origin) / this.width) - 1);
    while (this.buckets.length <= last) this.buckets.push(0);
    for (let i = first; i <= last; i++) {
      const bucketStart = origin + i * this.width;
      const overlap = Math.min(toMs, bucketStart + this.width) - Math.max(from, bucketStart);
      if (overlap > 0) this.buckets[i]! += overlap;
    }
  }

  private coarsen(): void {
    const merged: number[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) merged.push(this.buckets[i]! + (this.buckets[i + 1] ?? 0));
    this.buckets = merged;
    this.width *= 2;
  }

  /**
   * The series up to `endMs`, at most MAX_STEPS steps, with the cores of `executors` (each live over
   * its interval) averaged over each step. Empty before the start is known.
   */
  samples(endMs: number, executors: readonly CoreInterval[]): { stepMs: number; samples: CoreSample[] } {
    const origin = this.origin;
    if (origin === undefined) return { stepMs: this.width, samples: [] };
    while (endMs - origin > this.width * MAX_BUCKETS) this.coarsen();
    const buckets = Math.max(1, this.buckets.length, Math.ceil((endMs - origin) / this.width));
    const perStep = Math.ceil(buckets / MAX_STEPS);
    const stepMs = this.width * perStep;
    const steps = Math.ceil(buckets / perStep);
    const samples: CoreSample[] = [];
    for (let j = 0; j < steps; j++) {
      let busyMs = 0;
      for (let i = j * perStep; i < (j + 1) * perStep; i++) busyMs += this.buckets[i] ?? 0;
      samples.push({ at: origin + j * stepMs, allocated: 0, busy: busyMs / stepMs });
    }
    for (const e of executors) {
      const from = Math.max(origin, e.fromMs);
      if (e.cores <= 0 || e.toMs <= from) continue;
      const first = Math.floor((from - origin) / stepMs);
      const last = Math.min(steps - 1, Math.ceil((e.toMs - origin) / stepMs) - 1);
      for (let j = first; j <= last; j++) {
        const at = origin + j * stepMs;
        const overlap = Math.min(e.toMs, at + stepMs) - Math.max(from, at);
        if (overlap > 0) samples[j]!.allocated += (e.cores * overlap) / stepMs;
      }
    }
    return { stepMs, samples };
  }
}
