/**
 * The live Spark UI of a running application, proxied under the API's sign-in:
 * GET /api/v1/applications/{appId}/spark-ui/* and, where the hosted product served it,
 * GET /ocean/spark/cluster/{clusterId}/app/{appId}/sparkUI/*. Only a caller who may read the
 * application sees it (others get the answer of an unknown id); a browser may present the
 * session cookie of POST /api/v1/session instead of a token. Responses stream from the driver
 * (@fastify/reply-from); the driver never sees the caller's token or cookie; only GET and HEAD
 * exist, so nothing can be changed through the proxy.
 *
 * The back-ends set `spark.ui.proxyBase` to the native path (domain/spark-ui.ts): the UI's links
 * and redirects lead back through the native proxy, whichever path the browser came in by.
 */
import fastifyCookie from '@fastify/cookie';
import replyFrom, { type FastifyReplyFromOptions } from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from '../../apps/principal';
import { UiSessions } from '../../apps/ui-sessions';
import { DomainError } from '../../domain/errors';
import type { SparkUiTarget } from '../../domain/ports';
import { sparkUiProxyPath } from '../../domain/spark-ui';
import type { HttpDeps } from './deps';
import { PROBLEM_RESPONSES } from './native-schemas';
import { OCEAN_ERROR_RESPONSES } from './ocean-schemas';
import { stripText } from './strip-text';
import { sessionAuthenticator, uiSessionRoutes } from './ui-session-routes';
import { AGENT_HEADER, UpstreamRequester } from './upstream-requester';

/** How long the driver may take to start answering one request, ms. */
const UPSTREAM_TIMEOUT_MS = 30_000;

const NativeParams = z.strictObject({ appId: z.string().min(1), '*': z.string() });
const OceanParams = z.strictObject({ clusterId: z.string().min(1), appId: z.string().min(1), '*': z.string() });
const Page = z.string().meta({
  description:
    "What the driver's Spark UI answers, streamed as it sends it: HTML pages, their scripts, styles and images, and the JSON of Spark's own REST API (/api/v1/...). Its redirects stay under the proxy's path.",
});

/**
 * Request headers the driver never gets: the caller's credentials are the runtime's, not the
 * application's; the agent header is the proxy's own, whatever a client sends.
 */
const WITHHELD_REQUEST_HEADERS = ['authorization', 'cookie', 'proxy-authorization', AGENT_HEADER];

/**
 * Answers of the Kubernetes API server itself (not of the driver) on its service proxy: its
 * refusal of the runtime's credentials, or a service without a ready endpoint.
 */
const API_SERVER_REFUSALS: Record<number, string> = {
  401: "the Kubernetes API server refused the runtime's credentials for the driver's UI service",
  403: "the runtime's Kubernetes credentials may not open the driver's UI service: they need get on services/proxy in the applications' namespace",
  503: "the driver's UI service has no ready endpoint yet: the driver may be starting or stopping; try again",
};

/**
 * The path under the proxy (from the raw URL, still encoded) and its query. A segment that is "."
 * or "..", or hides a slash, is refused: on Kubernetes the upstream is the API server, where it
 * would climb out of the service's proxy.
 */
function upstreamPath(rawUrl: string, prefixSegments: number): { proxyBase: string; path: string } {
  const query = rawUrl.indexOf('?');
  const path = query < 0 ? rawUrl : rawUrl.slice(0, query);
  const all = path.split('/');
  const segments = all.slice(1 + prefixSegments);
  for (const segment of segments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      decoded = '..';
    }
    if (decoded === '.' || decoded === '..' || /[/\\]/.test(decoded)) {
      const message = `(path): ${JSON.stringify(segment)} is not allowed in a Spark UI path: expected a path without "." or ".." segments or escaped slashes`;
      throw new DomainError('VALIDATION_FAILED', message, [{ path: '(path)', message }]);
    }
  }
  return {
    proxyBase: all.slice(0, 1 + prefixSegments).join('/'),
    path: `/${segments.join('/')}${query < 0 ? '' : rawUrl.slice(query)}`,
  };
}

/** `value` without `prefix` at its start. */
function without(value: string, prefix: string | undefined): string {
  return prefix && value.startsWith(prefix) ? value.slice(prefix.length) || '/' : value;
}

/**
 * A redirect of the driver, as a path the browser follows through the proxy. Spark prefixes its
 * links with proxyBase but not all its redirects ("/" to "/jobs/", "/jobs" to "/jobs/"): a path of
 * the driver's own is put under the proxy path the browser came in by.
 */
function localLocation(location: string, target: SparkUiTarget, appId: string, proxyBase: string): string {
  const path = without(without(location, new URL(target.url).origin), target.linkPrefix);
  if (!path.startsWith('/') || path.startsWith('//')) return path;
  return path.startsWith(`${sparkUiProxyPath(appId)}/`) ? path : `${proxyBase}${path}`;
}

export function sparkUiProxy(deps: HttpDeps) {
  return async (instance: FastifyInstance) => {
    const sessions = new UiSessions(deps.clock);
    const requester = new UpstreamRequester();
    await instance.register(fastifyCookie);
    await instance.register(replyFrom, {
      // reply-from takes any object with undici's request(options, callback); its types name undici's own classes
      undici: requester as unknown as FastifyReplyFromOptions['undici'],
      disableCache: true,
      disableRequestLogging: true,
    });
    await instance.register(uiSessionRoutes(sessions));

    const app = instance.withTypeProvider<ZodTypeProvider>();
    const config = { scope: 'applications:read', sessionCookie: sessionAuthenticator(sessions, deps.tokens) } as const;

    const forward = async (
      request: FastifyRequest,
      reply: FastifyReply,
      appId: string,
      target: SparkUiTarget,
      prefixSegments: number,
    ): Promise<FastifyReply> => {
      const { proxyBase, path } = upstreamPath(request.raw.url ?? '/', prefixSegments);
      const url = `${target.url}${path}`;
      const agent = requester.via(target.agent);
      reply.raw.once('close', agent.release);
      const strip = target.linkPrefix
        ? stripText([`${new URL(target.url).origin}${target.linkPrefix}`, target.linkPrefix])
        : undefined;
      return reply.from(url, {
        timeout: UPSTREAM_TIMEOUT_MS,
        // no retries (reply-from retries a GET answered 503 up to 10 times): the answer says to try again
        retryDelay: () => null,
        rewriteRequestHeaders: (_request, headers) => {
          const sent: Record<string, string | string[] | undefined> = { ...headers };
          for (const name of WITHHELD_REQUEST_HEADERS) delete sent[name];
          for (const [name, value] of Object.entries(target.headers ?? {})) sent[name.toLowerCase()] = value;
          Object.assign(sent, agent.headers);
          // links are taken out of the text, so the text must come uncompressed
          if (strip) sent['accept-encoding'] = 'identity';
          return sent;
        },
        rewriteHeaders: (headers) => {
          const answered = { ...headers };
          // the driver runs user code: it must not set cookies on the runtime's origin
          delete answered['set-cookie'];
          if (typeof answered.location === 'string')
            answered.location = localLocation(answered.location, target, appId, proxyBase);
          answered['cache-control'] = 'private, no-cache';
          if (strip && String(answered['content-type'] ?? '').startsWith('text/html'))
            delete answered['content-length'];
          return answered;
        },
        onResponse: (_request, proxied, response) => {
          const refusal = target.linkPrefix ? API_SERVER_REFUSALS[response.statusCode] : undefined;
          if (refusal) {
            response.stream.resume();
            request.log.warn({ upstream: target.url, status: response.statusCode }, refusal);
            for (const name of Object.keys(proxied.getHeaders())) proxied.removeHeader(name);
            return proxied.send(new DomainError('BACKEND_UNAVAILABLE', refusal));
          }
          const html = String(proxied.getHeader('content-type') ?? '').startsWith('text/html');
          return proxied.send(strip && html ? response.stream.pipe(strip) : response.stream);
        },
        onError: (proxied, { error }) => {
          // the address and the cause stay in the log: a 5xx answer names no internals
          request.log.warn({ err: error, upstream: target.url }, 'the Spark UI did not answer');
          proxied.send(
            new DomainError(
              'BACKEND_UNAVAILABLE',
              `the Spark UI of application ${appId} did not answer: its driver may be starting or stopping; try again`,
            ),
          );
        },
      });
    };

    const principalOf = (request: FastifyRequest): Principal | undefined => request.principal;
    app.get(
      '/api/v1/applications/:appId/spark-ui/*',
      {
        config,
        schema: {
          tags: ['applications'],
          summary: 'The live Spark UI of an application',
          description:
            "Proxies the running driver's Spark UI (jobs, stages, storage, environment, executors, SQL, and Spark's REST API under api/v1/) with the caller's rights: a caller who may not read the application gets 404. A browser that follows a link may present the session cookie of POST /api/v1/session instead of a token. 409 while the application waits to start (the answer says why), 404 once it ended (with the run's Spark History Server link when one is configured). GET and HEAD only: the UI has no kill links and nothing else is forwarded.",
          params: NativeParams,
          produces: ['text/html'],
          response: { 200: Page, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        const target = await deps.applications.sparkUiTarget(request.params.appId, principalOf(request));
        return forward(request, reply, request.params.appId, target, 5);
      },
    );
    app.get(
      '/ocean/spark/cluster/:clusterId/app/:appId/sparkUI/*',
      {
        config,
        schema: {
          tags: ['ocean'],
          summary: 'The live Spark UI of an application (Ocean)',
          description:
            "The path the hosted product served the Spark UI at. Proxies the running driver's Spark UI with the caller's rights (as GET /api/v1/applications/{appId}/spark-ui/*, whose path the UI's own links lead to); the application must belong to the cluster. No accountId is needed: the query string is the Spark UI's.",
          params: OceanParams,
          produces: ['text/html'],
          response: { 200: Page, ...OCEAN_ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { clusterId, appId } = request.params;
        const target = await deps.applications.sparkUiTarget(appId, principalOf(request), clusterId);
        return forward(request, reply, appId, target, 7);
      },
    );
  };
}
