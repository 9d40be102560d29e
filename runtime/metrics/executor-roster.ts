/**
 * The executors an event log has added and removed so far, for the accumulators that follow them
 * (run metrics and the timeline): one record per executor id, created on first sight, with what
 * each accumulator keeps beside the lifecycle in `T`.
 */
export interface ExecutorLifecycle {
  executorId: string;
  cores: number;
  addedAt?: number;
  removedAt?: number;
  removedReason?: string;
}

export class ExecutorRoster<T extends ExecutorLifecycle> {
  private readonly byId = new Map<string, T>();

  constructor(private readonly create: (executorId: string) => T) {}

  get(executorId: string): T {
    let executor = this.byId.get(executorId);
    if (executor === undefined) {
      executor = this.create(executorId);
      this.byId.set(executorId, executor);
    }
    return executor;
  }

  /** An executor added again after its removal (the same id re-registering) is alive again. */
  added(executorId: string, cores: number, timestampMs: number): void {
    const executor = this.get(executorId);
    executor.cores = cores || executor.cores;
    executor.addedAt = timestampMs || undefined;
    executor.removedAt = undefined;
    executor.removedReason = undefined;
  }

  removed(executorId: string, timestampMs: number, reason: string): void {
    const executor = this.get(executorId);
    executor.removedAt = timestampMs || undefined;
    executor.removedReason = reason;
  }

  all(): IterableIterator<T> {
    return this.byId.values();
  }
}
