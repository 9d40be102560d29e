/**
 * Where the Spark UI of a running SparkApplication answers for the runtime: spark-operator (2.x,
 * with its UI service enabled, the chart's default) creates a ClusterIP service `<name>-ui-svc`
 * on the UI's port (spark.ui.port, else 4040) in front of the driver; the runtime reaches it
 * through the Kubernetes API server's service proxy with the kubeconfig's credentials, so no
 * driver port is exposed beyond the cluster. A session's SparkConnect has no such service: its UI is
 * the `web-ui` port (4040, fixed) of the server Service the operator creates, `<name>-server`.
 */
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ApplicationConfig } from '../../domain/config';
import type { SparkUiTarget } from '../../domain/ports';
import { DomainError } from '../../domain/errors';
import { DEFAULT_SPARK_UI_PORT } from '../../domain/spark-ui';

/** spark-operator's name of an application's UI service (GetDefaultUIServiceName). */
export function uiServiceName(applicationName: string): string {
  return `${applicationName}-ui-svc`;
}

/** The port spark-operator's SparkConnect server Service gives the UI (its `web-ui` port, whatever spark.ui.port says). */
export const SESSION_UI_PORT = 4040;

/** The API server's path of the proxy to `port` of a Service. */
function serviceProxyPath(namespace: string, service: string, port: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${service}:${encodeURIComponent(port)}/proxy`;
}

/** The API server's path of the service proxy in front of the driver's UI. */
export function uiServiceProxyPath(namespace: string, applicationName: string, config: ApplicationConfig): string {
  const port = config.sparkConf?.['spark.ui.port'] ?? String(DEFAULT_SPARK_UI_PORT);
  return serviceProxyPath(namespace, uiServiceName(applicationName), port);
}

/** The API server's path of the proxy to a session's UI: the web-ui port of its server Service. */
export function sessionUiProxyPath(namespace: string, serverService: string): string {
  return serviceProxyPath(namespace, serverService, String(SESSION_UI_PORT));
}

/**
 * The target (a path from uiServiceProxyPath or sessionUiProxyPath) through the current context's API server. The API server rewrites the root-relative
 * links and redirects of an HTML page to go through its own proxy path: that path is the target's
 * linkPrefix, which the runtime's proxy takes out again.
 */
export async function driverUiTarget(kubeConfig: KubeConfig, path: string): Promise<SparkUiTarget> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new DomainError('BACKEND_UNAVAILABLE', 'the kubeconfig has no current cluster');
  // the credentials of every other call: bearer token (or exec plugin), CA and client certificate
  const options: RequestOptions = {};
  try {
    await kubeConfig.applyToHTTPSOptions(options);
  } catch (error) {
    throw new DomainError(
      'BACKEND_UNAVAILABLE',
      `the kubeconfig's credentials could not be read: ${(error as Error).message}`,
    );
  }
  const headers = Object.fromEntries(
    Object.entries(options.headers ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  if (options.auth) headers.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  return {
    url: `${server.replace(/\/+$/, '')}${path}`,
    headers,
    ...(typeof options.agent === 'object' ? { agent: options.agent } : {}),
    linkPrefix: path,
  };
}
