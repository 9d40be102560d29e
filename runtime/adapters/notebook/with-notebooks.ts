/**
 * A cluster's back-end with its notebooks: applications of type notebook go to the notebook
 * back-end (kernels of the runtime's gateway), every other to the cluster's own. The lifecycle,
 * the measurer and the timelines look back-ends up by cluster, so each cluster gets one such
 * wrapper (cached: the lifecycle subscribes to each back-end object once).
 */
import type { Application } from '../../domain/application';
import type { ApplicationConfig } from '../../domain/config';
import type { BackendListener, SparkBackend } from '../../domain/ports';
import type { NotebookBackend } from './notebook-backend';

const isNotebook = (app: Application): boolean => app.type === 'notebook';

/**
 * `subscription.done`: the notebook back-end already reports to a listener; the lifecycle's
 * listeners of every cluster do the same, so one is enough (else each end would be applied per cluster).
 */
export function withNotebooks(
  inner: SparkBackend,
  notebooks: NotebookBackend,
  subscription: { done: boolean } = { done: false },
): SparkBackend {
  const pick = (app: Application): SparkBackend => (isNotebook(app) ? notebooks : inner);
  const wrapped: SparkBackend = {
    kind: inner.kind,
    submit: (app: Application, config: ApplicationConfig) => pick(app).submit(app, config),
    kill: (app) => pick(app).kill(app),
    status: (app) => pick(app).status(app),
    driverLog: (app, options) => pick(app).driverLog(app, options),
    eventLogPath: (app) => pick(app).eventLogPath(app),
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
  if (inner.refusal) wrapped.refusal = () => inner.refusal!();
  if (inner.capacity) wrapped.capacity = () => inner.capacity!();
  if (inner.demandOf) wrapped.demandOf = (config) => inner.demandOf!(config);
  if (inner.problems) {
    // a notebook runs beside the runtime: the cluster's own schemas do not apply to it
    wrapped.problems = (app, config) => (isNotebook(app) ? Promise.resolve([]) : inner.problems!(app, config));
  }
  if (inner.connectEndpoint) {
    wrapped.connectEndpoint = (app) => (isNotebook(app) ? Promise.resolve(undefined) : inner.connectEndpoint!(app));
  }
  if (inner.kubeEvents) wrapped.kubeEvents = (app) => (isNotebook(app) ? Promise.resolve([]) : inner.kubeEvents!(app));
  if (inner.sparkUiTarget) {
    // the kernel's driver runs with its UI off: the notebook is its UI
    wrapped.sparkUiTarget = (app) => (isNotebook(app) ? Promise.resolve(undefined) : inner.sparkUiTarget!(app));
  }
  return wrapped;
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
