/**
 * The stream of application changes: every submission, state change and metrics update this
 * runtime commits, told in process to whoever listens (the dashboards' event stream). With several
 * replicas each one tells only what it committed itself, so a client of one replica sees the
 * changes that replica made; the rest it reads from the store (the list it loaded, polled again).
 */
import type { Application } from '../domain/application';
import type { ApplicationUpdate, Store } from '../domain/ports';
import { authorize, maySee, type Principal } from './principal';

export type ChangeListener = (app: Application) => void;

export class ApplicationChanges {
  private readonly listeners = new Set<ChangeListener>();

  /** Calls the listener with every change from now on; returns the function that stops it. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  publish(app: Application): void {
    for (const listener of this.listeners) {
      try {
        listener(app);
      } catch {
        // one broken listener (a closed connection) must not keep the others, or the writer, from going on
      }
    }
  }
}

/** Whether an update is one the stream tells: a state or a metrics change. */
function isChange(update: ApplicationUpdate): boolean {
  return update.state !== undefined || update.metrics !== undefined;
}

/**
 * The store, publishing what it commits: inserted applications and the updates of their state or
 * metrics, once the write is committed (so a listener never sees what could still be lost).
 */
export function publishingStore<S extends Store>(store: S, changes: ApplicationChanges): S {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'insertApplication') {
        const insert: Store['insertApplication'] = async (app, options) => {
          const result = await target.insertApplication(app, options);
          if (result.created) changes.publish(result.app);
          return result;
        };
        return insert;
      }
      if (property === 'updateApplication') {
        const update: Store['updateApplication'] = async (id, change, expected) => {
          const updated = await target.updateApplication(id, change, expected);
          if (updated && isChange(change)) changes.publish(updated);
          return updated;
        };
        return update;
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** What a watcher of the stream asks for: changes of one cluster and/or job. */
export interface ChangeFilter {
  clusterId?: string;
  jobId?: string;
}

/** Subscribes to the changes the caller may see (its cluster and job limits) that match the filter. */
export function watchVisible(
  changes: ApplicationChanges,
  actor: Principal | undefined,
  filter: ChangeFilter,
  listener: ChangeListener,
): () => void {
  authorize(actor, 'applications:read');
  return changes.subscribe((app) => {
    if (filter.clusterId !== undefined && app.clusterId !== filter.clusterId) return;
    if (filter.jobId !== undefined && app.jobId !== filter.jobId) return;
    if (!maySee(actor, { clusterId: app.clusterId, jobId: app.jobId })) return;
    listener(app);
  });
}
