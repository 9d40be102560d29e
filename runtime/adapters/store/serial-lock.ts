/** Runs works one at a time among all who share it (see Store.withAdmissionLock). */
export interface AdmissionLock {
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** An in-process lock: the works given to it run one at a time, in the order given. */
export class SerialLock implements AdmissionLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    // the next work waits for this one to settle, whether it succeeded or not
    this.tail = result.catch(() => undefined);
    return result;
  }
}
