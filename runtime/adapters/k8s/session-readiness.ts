/**
 * When a session on Kubernetes is RUNNING: once its server answers a real call (Spark Connect's gRPC,
 * HiveServer2's OpenSession) through the address the runtime reaches it by, not when its pod is
 * ready. Shared by the SparkConnect sessions (connect-sessions.ts) and the sql sessions' Thrift
 * Servers (thrift-sessions.ts): each tells what the cluster says of its resource, this probes and
 * reports. A server that has not answered within sessionReadySeconds of being first seen is removed,
 * FAILED with what was last known, and so is one stuck before its start (stuck: an image that
 * cannot be pulled, an unschedulable pod) as soon as it is. A server that may be asked is asked before its state is first
 * told: a runtime restarted under a running session does not report it PENDING (a step back the
 * lifecycle refuses) for want of having asked it yet.
 */
import type { BackendStatus, Clock, ConnectEndpoint, Logger } from '../../domain/ports';
import { isTerminal } from '../../domain/states';
import type { KubernetesClusterSettings } from './cluster-settings';
import type { StatusTracker } from './status-tracker';

/** What the cluster says of a session's resource now. */
export interface SessionSighting {
  /** The session's state as the cluster tells it, given whether its server answered. */
  status: (answered: boolean) => BackendStatus;
  /** Its server may be asked now (its pod ready, its driver running). */
  askable: boolean;
  /** Where the runtime reaches the server; undefined while a part of it is not known yet. */
  address: ConnectEndpoint | undefined;
  /** The resource's name, removed when the server never answers. */
  name: string;
  /** Why its server cannot start, once it is stuck (stuck-start.ts); asked at each probe until it answers. */
  stuck?: () => string | undefined;
}

/** The server a kind of session runs. */
export interface SessionServer {
  /** In reasons: "Spark Connect", "the Spark Thrift Server". */
  name: string;
  answers: (host: string, port: number) => Promise<boolean>;
  /** Deletes the resource of a session that never answered. */
  remove: (name: string) => Promise<unknown>;
}

/** What the sessions of every kind share: their back-end's tracker, clock, logger and settings. */
export interface SessionReadinessContext {
  tracker: StatusTracker;
  clock: Clock;
  logger: Logger;
  settings: Pick<KubernetesClusterSettings, 'sessionReadySeconds'>;
  /** Interval between two readiness probes of a session. @default 2000 */
  probeIntervalMs?: number;
}

interface Probing {
  firstSeenMs: number;
  latest: SessionSighting;
  /** Set once the server answered: where. */
  answered?: ConnectEndpoint;
  /** Whether an askable server was asked once: its state is not told before. */
  asked: boolean;
  /** Resolves once it was asked, or the probing stopped first. */
  firstAsk: Promise<void>;
  markAsked: () => void;
}

export class SessionReadiness {
  private readonly probes = new Map<string, Probing>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly server: SessionServer,
    private readonly options: SessionReadinessContext,
  ) {}

  seen(appId: string, sighting: SessionSighting): void {
    let probing = this.probes.get(appId);
    if (!probing) {
      let markAsked = () => {};
      const firstAsk = new Promise<void>((resolve) => (markAsked = resolve));
      const made: Probing = {
        firstSeenMs: this.options.clock.now().getTime(),
        latest: sighting,
        asked: false,
        firstAsk,
        markAsked,
      };
      this.probes.set(appId, made);
      void this.follow(appId, made).finally(() => made.markAsked());
      probing = made;
    }
    probing.latest = sighting;
    if (probing.asked || !sighting.askable) this.report(appId, probing);
  }

  gone(appId: string): void {
    this.probes.get(appId)?.markAsked();
    this.probes.delete(appId);
  }

  /** Where the server answered, once it has. */
  endpoint(appId: string): ConnectEndpoint | undefined {
    return this.probes.get(appId)?.answered;
  }

  /** The session's state now, its server asked first when it may be: what a restart reconciles by. */
  async current(appId: string): Promise<BackendStatus | undefined> {
    const probing = this.probes.get(appId);
    if (!probing) return undefined;
    if (probing.latest.askable) await probing.firstAsk;
    return probing.latest.status(probing.answered !== undefined);
  }

  close(): void {
    this.stopping.abort();
    for (const probing of this.probes.values()) probing.markAsked();
  }

  private report(appId: string, probing: Probing): void {
    this.options.tracker.observe(appId, probing.latest.status(probing.answered !== undefined));
  }

  /** Probes an askable server until it answers, the session ends, or the wait runs out. */
  private async follow(appId: string, probing: Probing): Promise<void> {
    const { clock } = this.options;
    const readySeconds = this.options.settings.sessionReadySeconds;
    const intervalMs = this.options.probeIntervalMs ?? 2000;
    while (!this.stopping.signal.aborted && this.probes.get(appId) === probing) {
      const { latest } = probing;
      const waiting = latest.status(false);
      if (isTerminal(waiting.state)) return;
      const stuck = latest.stuck?.();
      if (stuck !== undefined) return this.fail(appId, latest.name, stuck);
      if (latest.askable) {
        const { address } = latest;
        const answers = address !== undefined && (await this.server.answers(address.host, address.port));
        if (this.probes.get(appId) !== probing) return;
        if (answers) probing.answered = address;
        const firstAsk = !probing.asked;
        probing.asked = true;
        probing.markAsked();
        if (answers || firstAsk) this.report(appId, probing);
        if (answers) return;
      }
      if (clock.now().getTime() - probing.firstSeenMs > readySeconds * 1000) {
        const reason = `${this.server.name} did not answer within ${readySeconds} s (sessionReadySeconds): ${waiting.reason ?? waiting.state}`;
        return this.fail(appId, latest.name, reason);
      }
      await new Promise((wake) => setTimeout(wake, intervalMs).unref());
    }
  }

  /** Ends a session that did not start FAILED with `reason`, and deletes its resource. */
  private async fail(appId: string, name: string, reason: string): Promise<void> {
    // reported first: the deletion that follows is then no news
    this.options.tracker.observe(appId, { state: 'FAILED', reason });
    this.options.logger.info({ appId, reason }, 'a session that did not start failed: its resource is deleted');
    await this.server
      .remove(name)
      .catch((error: unknown) =>
        this.options.logger.warn({ appId, err: error }, 'could not delete a session that did not start'),
      );
  }
}
