/**
 * A cluster's back-end with its notebooks: applications of type notebook go to the notebook
 * back-end (kernels of the runtime's gateway), every other to the cluster's own. The lifecycle,
 * the measurer and the timelines look back-ends up by cluster, so each cluster gets one such
 * wrapper (cached: the lifecycle subscribes to each back-end object once).
 *
 * On a cluster that runs a notebook's Spark as a Spark Connect server (notebookSparkConnect, the
 * kubernetes back-end), a notebook is both: its server in the cluster, started first and waited for
 * until it answers, and its kernel beside the runtime, a client of that server, so that its Spark
 * runs on the cluster's nodes. The notebook is measured, logged and shown from the server; whichever
 * of the two ends first ends the other.
 */
import type { Application } from '../../domain/application';
import type { ApplicationConfig } from '../../domain/config';
import { DomainError } from '../../domain/errors';
import type { BackendListener, BackendStatus, ConnectEndpoint, SparkBackend } from '../../domain/ports';
import { isTerminal } from '../../domain/states';
import type { NotebookBackend } from './notebook-backend';

const isNotebook = (app: Application): boolean => app.type === 'notebook';

/** How often a starting notebook's server is asked whether it answers yet, ms. */
const ENDPOINT_POLL_MS = 250;

/** The application as its cluster knows it: the back-end reference is the kernel's, not the cluster's. */
function clusterSide(app: Application): Application {
  const { backendRef: _kernel, ...rest } = app;
  return rest;
}

/**
 * `subscription.done`: the notebook back-end already reports to a listener; the lifecycle's
 * listeners of every cluster do the same, so one is enough (else each end would be applied per cluster).
 */
export function withNotebooks(
  inner: SparkBackend,
  notebooks: NotebookBackend,
  subscription: { done: boolean } = { done: false },
): SparkBackend {
  const remote = inner.notebookSparkConnect === true ? new RemoteNotebooks(inner, notebooks) : undefined;
  const pick = (app: Application): SparkBackend => (isNotebook(app) ? notebooks : inner);
  /** The cluster's answer for a notebook whose Spark runs there, else the notebook back-end's. */
  const sparkSide = (app: Application): { backend: SparkBackend; app: Application } =>
    isNotebook(app) && remote ? { backend: inner, app: clusterSide(app) } : { backend: pick(app), app };
  const wrapped: SparkBackend = {
    kind: inner.kind,
    submit: (app: Application, config: ApplicationConfig) =>
      isNotebook(app) && remote ? remote.submit(app, config) : pick(app).submit(app, config),
    kill: (app) => (isNotebook(app) && remote ? remote.kill(app) : pick(app).kill(app)),
    status: (app) => (isNotebook(app) && remote ? remote.status(app) : pick(app).status(app)),
    driverLog: (app, options) => {
      const side = sparkSide(app);
      return side.backend.driverLog(side.app, options);
    },
    eventLogPath: (app) => {
      const side = sparkSide(app);
      return side.backend.eventLogPath(side.app);
    },
    onStatus(listener: BackendListener) {
      inner.onStatus(listener);
      if (subscription.done) return;
      subscription.done = true;
      notebooks.onStatus(listener);
    },
    // the notebook back-end is closed by the composition root, once for every cluster
    close: () => inner.close(),
  };
  if (inner.historyServerUrl !== undefined) Object.assign(wrapped, { historyServerUrl: inner.historyServerUrl });
  if (inner.notebookSparkConnect !== undefined) {
    Object.assign(wrapped, { notebookSparkConnect: inner.notebookSparkConnect });
  }
  if (inner.refusal) wrapped.refusal = () => inner.refusal!();
  if (inner.capacity) wrapped.capacity = () => inner.capacity!();
  if (inner.demandOf) wrapped.demandOf = (config) => inner.demandOf!(config);
  if (inner.problems) {
    // a notebook whose driver runs beside the runtime: the cluster's own schemas do not apply to it
    wrapped.problems = (app, config) =>
      isNotebook(app) && !remote ? Promise.resolve([]) : inner.problems!(app, config);
  }
  if (inner.connectEndpoint) {
    // a notebook's server is its kernel's alone: no session relay reaches it
    wrapped.connectEndpoint = (app) => (isNotebook(app) ? Promise.resolve(undefined) : inner.connectEndpoint!(app));
  }
  if (inner.kubeEvents) {
    wrapped.kubeEvents = (app) =>
      isNotebook(app) && !remote ? Promise.resolve([]) : inner.kubeEvents!(sparkSide(app).app);
  }
  if (inner.sparkUiTarget) {
    // a kernel's local driver runs with its UI off (the notebook is its UI); a server in the cluster has one
    wrapped.sparkUiTarget = (app) =>
      isNotebook(app) && !remote ? Promise.resolve(undefined) : inner.sparkUiTarget!(sparkSide(app).app);
  }
  return wrapped;
}

/** The notebooks of a cluster that runs their Spark as Spark Connect servers. */
class RemoteNotebooks {
  /** The notebooks of this cluster whose kernel runs (or starts), by application id. */
  private readonly live = new Map<string, Application>();
  /** Each starting notebook's server's end, as the cluster reported it. */
  private readonly serverEnds = new Map<string, BackendStatus>();

  constructor(
    private readonly inner: SparkBackend,
    private readonly notebooks: NotebookBackend,
  ) {
    inner.onStatus((appId, status) => {
      if (!isTerminal(status.state)) return;
      const app = this.live.get(appId);
      if (!app) return;
      this.serverEnds.set(appId, status);
      this.live.delete(appId);
      // the server ended (failed, or deleted from outside): its kernel has nothing left to run on
      void this.notebooks.kill(app).catch(() => undefined);
    });
    notebooks.onStatus((appId, status) => {
      const app = this.live.get(appId);
      if (!app || !isTerminal(status.state)) return;
      this.live.delete(appId);
      // the kernel ended (shut down, culled, died): its server goes with it
      void this.inner.kill(clusterSide(app)).catch(() => undefined);
    });
  }

  /** Starts the server, waits until it answers, then the kernel as its client. */
  async submit(app: Application, config: ApplicationConfig): Promise<{ backendRef: string }> {
    this.serverEnds.delete(app.id);
    this.live.set(app.id, app);
    try {
      await this.inner.submit(clusterSide(app), config);
      const endpoint = await this.endpointOf(app);
      return await this.notebooks.submit(app, config, endpoint);
    } catch (error) {
      this.live.delete(app.id);
      await this.inner.kill(clusterSide(app)).catch(() => undefined);
      throw error;
    } finally {
      this.serverEnds.delete(app.id);
    }
  }

  async kill(app: Application): Promise<void> {
    this.live.delete(app.id);
    await this.notebooks.kill(app);
    await this.inner.kill(clusterSide(app));
  }

  /** The kernel's state: it ends with the runtime, and its server is then deleted. */
  async status(app: Application): Promise<BackendStatus> {
    const kernel = await this.notebooks.status(app);
    if (isTerminal(kernel.state)) {
      this.live.delete(app.id);
      await this.inner.kill(clusterSide(app)).catch(() => undefined);
    }
    return kernel;
  }

  /** Where the notebook's server answers, once it does; its end before that is the kernel's refusal. */
  private async endpointOf(app: Application): Promise<ConnectEndpoint> {
    for (;;) {
      const ended = this.serverEnds.get(app.id);
      if (ended) {
        throw new DomainError(
          'BACKEND_UNAVAILABLE',
          `the Spark Connect server of notebook ${app.id} ended ${ended.state}${ended.reason ? `: ${ended.reason}` : ''}`,
        );
      }
      if (!this.live.has(app.id)) {
        throw new DomainError('CONFLICT', `notebook ${app.id} was stopped while its Spark Connect server started`);
      }
      const endpoint = await this.inner.connectEndpoint?.(clusterSide(app));
      if (endpoint) return endpoint;
      await new Promise((wake) => setTimeout(wake, ENDPOINT_POLL_MS));
    }
  }
}

/** One wrapper per back-end object. */
export function notebookRouting(
  notebooks: NotebookBackend,
): (inner: SparkBackend | undefined) => SparkBackend | undefined {
  const wrappers = new WeakMap<SparkBackend, SparkBackend>();
  const subscription = { done: false };
  return (inner) => {
    if (!inner) return undefined;
    let wrapped = wrappers.get(inner);
    if (!wrapped) {
      wrapped = withNotebooks(inner, notebooks, subscription);
      wrappers.set(inner, wrapped);
    }
    return wrapped;
  };
}
