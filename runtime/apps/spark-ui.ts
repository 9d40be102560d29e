/**
 * What the runtime says about an application's Spark UI: its links when the application is read,
 * and, when the live UI cannot be shown, why (it waits to start, or it ended and where the run is
 * now). Pure: the caller gives the application and the History Server of its cluster.
 */
import type { Application } from '../domain/application';
import { DomainError } from '../domain/errors';
import { historyServerLink, sparkUiProxyPath, type SparkUiLinks } from '../domain/spark-ui';
import { isTerminal } from '../domain/states';

export interface SparkUiContext {
  /** The cluster's back-end can reach the driver's UI. */
  proxied: boolean;
  /** The History Server of the cluster's runs, if any. */
  historyServerUrl?: string | undefined;
}

/** The run in the History Server: for an ended application whose event log gave a Spark application id. */
export function historyLinkOf(app: Application, historyServerUrl: string | undefined): string | undefined {
  const sparkAppId = app.metrics?.sparkAppId;
  if (!isTerminal(app.state) || !historyServerUrl || !sparkAppId) return undefined;
  return historyServerLink(historyServerUrl, sparkAppId);
}

/** The application as read: with its Spark UI links when there is one (never stored). */
export function withSparkUiLinks(app: Application, context: SparkUiContext): Application {
  const links: SparkUiLinks = {};
  if (app.state === 'RUNNING' && context.proxied) links.live = `${sparkUiProxyPath(app.id)}/`;
  const history = historyLinkOf(app, context.historyServerUrl);
  if (history) links.history = history;
  return links.live || links.history ? { ...app, sparkUi: links } : app;
}

const WAITING: Partial<Record<Application['state'], string>> = {
  NEW: 'it was just submitted and is being handed to its cluster',
  PENDING: 'the cluster has not started its driver yet (it waits for capacity, a node or its image)',
};

/** Why the live UI of an application that is not RUNNING cannot be shown: 409 while it waits, 404 once it ended. */
export function notRunningError(app: Application, historyServerUrl: string | undefined): DomainError {
  if (!isTerminal(app.state)) {
    const why = app.stateReason ?? WAITING[app.state] ?? 'its driver has not started';
    return new DomainError(
      'CONFLICT',
      `application ${app.id} is ${app.state}: its Spark UI opens once its driver runs; it waits because ${why}`,
    );
  }
  const ended = `application ${app.id} ended ${app.state}${app.endedAt ? ` at ${app.endedAt}` : ''}: its live Spark UI stopped with its driver`;
  const link = historyLinkOf(app, historyServerUrl);
  if (link) return new DomainError('RESOURCE_NOT_FOUND', `${ended}; the run is in the Spark History Server: ${link}`);
  if (!historyServerUrl) {
    return new DomainError(
      'RESOURCE_NOT_FOUND',
      `${ended}; no Spark History Server is configured (SPARKPLANE_HISTORY_SERVER_URL, or the cluster's settings.historyServerUrl)`,
    );
  }
  return new DomainError(
    'RESOURCE_NOT_FOUND',
    `${ended}; its event log has given no Spark application id (yet), so it cannot be linked in the History Server at ${historyServerUrl}`,
  );
}
