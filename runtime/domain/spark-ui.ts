/**
 * The Spark UI of an application: the live UI of its driver, proxied by the runtime under the
 * API's sign-in, and the run in a Spark History Server once it has ended. The back-ends set the
 * driver's UI settings from here so that its links come back through the proxy.
 */
import { z } from 'zod';
import { Timestamp } from './common';

/** Path of the native proxy of an application's live Spark UI (no trailing slash): Spark's `spark.ui.proxyBase`. */
export function sparkUiProxyPath(appId: string): string {
  return `/api/v1/applications/${encodeURIComponent(appId)}/spark-ui`;
}

/** Path of the same proxy under the Ocean API, where the hosted product served it. */
export function oceanSparkUiProxyPath(clusterId: string, appId: string): string {
  return `/ocean/spark/cluster/${encodeURIComponent(clusterId)}/app/${encodeURIComponent(appId)}/sparkUI`;
}

/** The port Spark's UI listens on when `spark.ui.port` is not set. */
export const DEFAULT_SPARK_UI_PORT = 4040;

/**
 * Spark settings every back-end sets on the driver, over the application's own:
 * - `spark.ui.proxyBase`: the UI's links and redirects are prefixed with the proxy's path, so a
 *   browser never leaves the runtime (the driver itself serves at `/`);
 * - `spark.ui.reverseProxy=false`: when true the SparkContext replaces proxyBase with
 *   `<spark.ui.reverseProxyUrl>/proxy/<sparkAppId>` (a standalone master's proxy), which is not ours;
 * - `spark.ui.killEnabled=false`: the proxy serves reads only, so the UI shows no kill links.
 */
export function sparkUiConf(appId: string): Record<string, string> {
  return {
    'spark.ui.proxyBase': sparkUiProxyPath(appId),
    'spark.ui.reverseProxy': 'false',
    'spark.ui.killEnabled': 'false',
  };
}

/** The address of a run in a Spark History Server: `<historyServerUrl>/history/<sparkAppId>/`. */
export function historyServerLink(historyServerUrl: string, sparkAppId: string): string {
  return `${historyServerUrl.replace(/\/+$/, '')}/history/${encodeURIComponent(sparkAppId)}/`;
}

/** An http(s) URL: where a Spark History Server answers. */
export const HistoryServerUrl = z
  .url({ protocol: /^https?$/, error: 'is not an http(s) URL such as "https://spark-history.example.com"' })
  .meta({ description: "The Spark History Server's address; runs are linked as <url>/history/<sparkAppId>/." });

/**
 * Where the Spark UI of an application is: computed when the application is read (the store keeps
 * none of it). Each field is present only when it leads somewhere.
 */
export const SparkUiLinks = z
  .strictObject({
    /** Path of the runtime's proxy of the driver's live UI, while the application runs. */
    live: z.string().optional(),
    /** The run in the Spark History Server, once the application ended with a Spark application id. */
    history: z.string().optional(),
  })
  .meta({ id: 'SparkUiLinks' });
export type SparkUiLinks = z.infer<typeof SparkUiLinks>;

/** POST /api/v1/session: nothing; the session is opened for the bearer token of the request. */
export const UiSessionRequest = z
  .strictObject({})
  .nullish()
  .meta({ description: 'Nothing: the session is opened for the bearer token of the request.' });

/** A browser session for the Spark UI proxy: its cookie is HttpOnly, so the answer says what it covers. */
export const UiSession = z
  .strictObject({
    /** When the cookie stops working; sign in again after. */
    expiresAt: Timestamp,
    /** The path prefixes the cookie is sent to (the Spark UI proxies of both APIs). */
    paths: z.array(z.string()),
  })
  .meta({ id: 'UiSession' });
export type UiSession = z.infer<typeof UiSession>;
