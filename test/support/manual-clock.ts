/** A clock the tests move by hand, so that instants are asserted without reading wall-clock time. */
import type { Clock } from '../../runtime/domain/ports';

export class ManualClock implements Clock {
  private ms: number;

  constructor(start = '2030-01-01T00:00:00.000Z') {
    this.ms = Date.parse(start);
  }

  now(): Date {
    return new Date(this.ms);
  }

  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1000;
  }

  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
}
