/**
 * Validation against a CRD on a thread of its own: compiling the SparkApplication CRD's schema
 * blocks for seconds, so it is compiled there once, at the first back-end's start, and each
 * validation is a message to it (a fraction of a millisecond).
 */
import type { Worker } from 'node:worker_threads';
import { typescriptWorker } from '../threads/typescript-worker';
import type { SchemaError } from './crd-validator';

interface Pending {
  resolve: (errors: SchemaError[]) => void;
  reject: (error: Error) => void;
}

export class CrdValidationThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly worker: Worker;
  /** Set once the thread has stopped: every later validation fails with it. */
  private stopped: Error | undefined;

  constructor(file: string, version: string) {
    this.worker = typescriptWorker(new URL('./crd-validation-worker.ts', import.meta.url), {
      workerData: { file, version },
    });
    this.worker.on('message', (message: 'ready' | { id: number; errors: SchemaError[] }) => {
      if (message === 'ready') return;
      this.pending.get(message.id)?.resolve(message.errors);
      this.pending.delete(message.id);
    });
    this.worker.on('error', (error) => this.stop(new Error(`the CRD validation thread failed: ${error.message}`)));
    this.worker.once('exit', (code) => this.stop(new Error(`the CRD validation thread exited (code ${code})`)));
    // an idle validator never keeps the process alive
    this.worker.unref();
  }

  /** Why the API server would refuse the object; empty when it would take it. */
  errors(object: unknown): Promise<SchemaError[]> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, object });
    });
  }

  private stop(error: Error): void {
    this.stopped ??= error;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}
