/** What an application's driver pod says: its log, and the Kubernetes events of it and its SparkApplication. */
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import type { CoreV1Event } from '@kubernetes/client-node';
import { isTerminal } from '../../domain/states';
import type { SparkOperatorClient } from './kube-client';
import { toBackendStatus } from './operator-states';
import { sleep } from './retry';

/** The pod whose driver container logs (a SparkApplication's driver, a SparkConnect's server), once known. */
export interface DriverPod {
  pod?: string;
  ended: boolean;
}

export class DriverLogReader {
  constructor(
    private readonly client: SparkOperatorClient,
    /** Interval of driver-pod polling while following the log of an application not yet started. */
    private readonly pollIntervalMs: number,
  ) {}

  /** The log of the driver of SparkApplication `name` so far, then (with follow) new lines until its container ends or signal aborts. */
  async *driverLog(
    name: string,
    options: { follow: boolean; signal?: AbortSignal },
    locate: () => Promise<DriverPod> = () => this.applicationDriver(name),
  ): AsyncIterable<string> {
    const pod = await this.waitForDriverPod(locate, options);
    if (!pod) return;
    if (!options.follow) {
      const text = await this.client.readDriverLog(pod);
      if (text === undefined) return;
      yield* text.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
      return;
    }
    const stream = new PassThrough();
    const request = await this.client.followDriverLog(pod, stream);
    if (!request) return; // the pod is gone: nothing more to read
    const abort = () => {
      request.abort();
      stream.end();
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) yield line;
    } finally {
      options.signal?.removeEventListener('abort', abort);
      request.abort();
    }
  }

  /** The driver pod's name once it exists; with follow, waits for it while the application has not ended. */
  /** The driver pod of SparkApplication `name`, once the operator names it. */
  private async applicationDriver(name: string): Promise<DriverPod> {
    const resource = await this.client.getApplication(name);
    const pod = resource?.status?.driverInfo?.podName;
    return { ...(pod ? { pod } : {}), ended: !resource || isTerminal(toBackendStatus(resource.status).state) };
  }

  private async waitForDriverPod(locate: () => Promise<DriverPod>, options: { follow: boolean; signal?: AbortSignal }) {
    for (;;) {
      const { pod, ended } = await locate();
      if (pod) return pod;
      if (!options.follow || ended || options.signal?.aborted) return undefined;
      try {
        await sleep(this.pollIntervalMs, options.signal);
      } catch {
        return undefined;
      }
    }
  }

  /**
   * The Kubernetes events of SparkApplication `name` and its driver pod, oldest first, one line each
   * ("<time> <type> <reason> <kind>/<name>: <message>"): why a pod is pending, OOM kills...
   */
  async kubeEvents(name: string): Promise<string[]> {
    const objects = [name, `${name}-driver`];
    const resource = await this.client.getApplication(name);
    const pod = resource?.status?.driverInfo?.podName;
    if (pod && !objects.includes(pod)) objects.push(pod);
    const lists = await Promise.all(objects.map((object) => this.client.listEvents(object)));
    const timeOf = (e: CoreV1Event) =>
      new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? 0).toISOString();
    return lists
      .flat()
      .sort((a, b) => timeOf(a).localeCompare(timeOf(b)))
      .map(
        (e) =>
          `${timeOf(e)} ${e.type ?? 'Normal'} ${e.reason ?? ''} ${e.involvedObject.kind ?? ''}/${e.involvedObject.name ?? ''}: ${e.message ?? ''}`,
      );
  }
}
