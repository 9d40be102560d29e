/**
 * Follows a collection of Kubernetes objects (a cluster's SparkApplications or SparkConnects, the SparkJobs): list, then watch from the list's resourceVersion;
 * on a dropped connection re-watch from the last version seen (the server replays what was
 * missed); on 410 Gone (the version expired) list again. Like an informer, it also lists again
 * every resyncIntervalMs, so a missed event cannot leave the runtime's view behind for long.
 */
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import type { Logger } from '../../domain/ports';
import { describeApiError } from './kube-client';
import { backoffMs, httpStatusOf, type RetryOptions, sleep, withRetry } from './retry';
import type { SparkApplication } from './spark-application';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** What the watch needs of an object: its resourceVersion. */
export interface WatchedObject {
  metadata?: { resourceVersion?: string };
}

export interface ResourceWatchOptions<T extends WatchedObject = SparkApplication> {
  /** The objects' kind in log lines, plural. @default "SparkApplications" */
  kind?: string;
  kubeConfig: KubeConfig;
  /** API path of the collection, e.g. /apis/sparkoperator.k8s.io/v1beta2/namespaces/x/sparkapplications */
  path: string;
  /** @default every object of the collection */
  labelSelector?: string;
  list: () => Promise<{ items: T[]; resourceVersion: string }>;
  /** Every object of a fresh list (initial, after 410, periodic resync). */
  onList: (items: T[]) => void;
  onEvent: (type: WatchEventType, object: T) => void;
  retry: RetryOptions;
  /** Server-side end of one watch request, after which it is reopened. */
  watchTimeoutSeconds: number;
  resyncIntervalMs: number;
  /** How long the watch request may take to open (response headers) before it is abandoned and retried. */
  openTimeoutMs: number;
  logger: Logger;
  /** Fields of every log line, e.g. the cluster id. */
  logFields: object;
}

interface WatchOutcome {
  resourceVersion: string;
  expired: boolean;
  events: number;
  error?: unknown;
}

export class ResourceWatch<T extends WatchedObject = SparkApplication> {
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly options: ResourceWatchOptions<T>) {}

  private get kind(): string {
    return this.options.kind ?? 'SparkApplications';
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error('watch stopped'));
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    let resourceVersion: string | undefined;
    let failures = 0;
    let listedAt = 0;
    while (!this.stopped) {
      try {
        if (resourceVersion === undefined || Date.now() - listedAt >= this.options.resyncIntervalMs) {
          const list = await withRetry(() => this.options.list(), {
            ...this.options.retry,
            signal: this.stopping.signal,
          });
          if (this.stopped) return;
          this.options.onList(list.items);
          resourceVersion = list.resourceVersion;
          listedAt = Date.now();
        }
        const outcome = await this.watchOnce(resourceVersion);
        resourceVersion = outcome.expired ? undefined : outcome.resourceVersion;
        if (outcome.expired) {
          this.options.logger.debug(this.options.logFields, 'the watched resourceVersion expired: listing again');
          continue;
        }
        if (outcome.error === undefined && outcome.events > 0) {
          failures = 0;
          continue;
        }
        if (outcome.error !== undefined) this.warn(`the watch of ${this.kind} failed: reconnecting`, outcome.error);
      } catch (error) {
        if (this.stopped) return;
        if (httpStatusOf(error) === 410) resourceVersion = undefined;
        this.warn(`listing ${this.kind} failed: trying again`, error);
      }
      // a watch that ended without news, or failed: back off so a broken server is not hammered
      failures++;
      await sleep(backoffMs(Math.min(failures, 10), this.options.retry), this.stopping.signal).catch(() => undefined);
    }
  }

  private warn(message: string, error: unknown): void {
    this.options.logger.warn({ ...this.options.logFields, err: describeApiError(error) }, message);
  }

  private watchOnce(resourceVersion: string): Promise<WatchOutcome> {
    const outcome: WatchOutcome = { resourceVersion, expired: false, events: 0 };
    const watch = new Watch(this.options.kubeConfig);
    // end the watch by the next re-list, so a re-list is never late by a whole watch
    const timeoutSeconds = Math.max(
      1,
      Math.min(this.options.watchTimeoutSeconds, Math.ceil(this.options.resyncIntervalMs / 1000)),
    );
    let controller: AbortController | undefined;
    let settled = false;
    return new Promise<WatchOutcome>((settle) => {
      const timers: NodeJS.Timeout[] = [];
      const resolve = (error?: unknown) => {
        if (settled) return;
        settled = true;
        if (error !== undefined && outcome.error === undefined) outcome.error = error;
        for (const timer of timers) clearTimeout(timer);
        this.stopping.signal.removeEventListener('abort', onStop);
        controller?.abort();
        settle(outcome);
      };
      // the Watch hands out its AbortController only once the response headers came: stop waiting on our own
      const onStop = () => resolve();
      this.stopping.signal.addEventListener('abort', onStop, { once: true });
      timers.push(
        setTimeout(() => {
          if (!controller) resolve(new Error(`the watch did not open within ${this.options.openTimeoutMs} ms`));
        }, this.options.openTimeoutMs),
        // a half-open connection sends nothing, not even the server's end: give up a little after timeoutSeconds
        setTimeout(() => resolve(new Error('the watch outlived its timeoutSeconds')), timeoutSeconds * 1000 + 30_000),
      );
      const onEvent = (type: string, object: unknown) => {
        if (settled) return; // an abandoned watch's late events would replay old states
        if (type === 'ERROR') {
          const status = object as { code?: number; message?: string };
          if (status.code === 410) outcome.expired = true;
          return resolve(
            status.code === 410
              ? undefined
              : Object.assign(new Error(status.message ?? 'watch error'), { code: status.code }),
          );
        }
        const resource = object as T;
        const version = resource.metadata?.resourceVersion;
        if (version) outcome.resourceVersion = version;
        outcome.events++;
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') this.options.onEvent(type, resource);
      };
      const onDone = (error: unknown) => {
        if (!error || settled || (error as { name?: string }).name === 'AbortError') return resolve();
        if (httpStatusOf(error) === 410) {
          outcome.expired = true;
          return resolve();
        }
        resolve(error);
      };
      const query = {
        resourceVersion,
        ...(this.options.labelSelector !== undefined ? { labelSelector: this.options.labelSelector } : {}),
        allowWatchBookmarks: true,
        timeoutSeconds,
      };
      watch
        .watch(this.options.path, query, onEvent, onDone)
        .then((opened) => {
          controller = opened;
          if (settled) opened.abort();
        })
        .catch((error: unknown) => resolve(error));
    });
  }
}
