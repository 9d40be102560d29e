/**
 * The client @fastify/reply-from sends the Spark UI proxy's requests with: node:http(s), each
 * request through the agent of its target (the Kubernetes API server's CA and client certificate
 * are per cluster, where reply-from's own clients have one setting for all). reply-from calls
 * `request(options, callback)` as it would call an undici pool; the route names the agent of a
 * request by a private header, taken off before the request leaves.
 */
import { type Agent, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';

/** Names the agent of a request; a client's own header of this name is dropped by the proxy (see spark-ui-proxy.ts). */
export const AGENT_HEADER = 'x-sparkplane-upstream-agent';

/** What reply-from hands to an undici-like client. */
interface UpstreamRequest {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string | string[] | number | undefined>;
  body?: unknown;
  headersTimeout?: number;
}

interface UpstreamResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

export class UpstreamRequester {
  private readonly agents = new Map<string, Agent>();
  private lastId = 0;

  /**
   * Headers that make reply-from's requests use `agent` (none for the default one). Call the
   * returned `release` when the reply is over.
   */
  via(agent: object | undefined): { headers: Record<string, string>; release: () => void } {
    if (!agent) return { headers: {}, release: () => undefined };
    const id = String(++this.lastId);
    this.agents.set(id, agent as Agent);
    return { headers: { [AGENT_HEADER]: id }, release: () => this.agents.delete(id) };
  }

  request(options: UpstreamRequest, callback: (error: Error | null, response?: UpstreamResponse) => void): void {
    const headers: Record<string, string | string[] | number> = {};
    for (const [name, value] of Object.entries(options.headers)) if (value !== undefined) headers[name] = value;
    const agentId = headers[AGENT_HEADER];
    delete headers[AGENT_HEADER];
    const agent = typeof agentId === 'string' ? this.agents.get(agentId) : undefined;
    const url = new URL(options.path, options.origin);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let answered = false;
    const answer = (error: Error | null, response?: UpstreamResponse) => {
      if (answered) return;
      answered = true;
      callback(error, response);
    };
    const outgoing = send(url, { method: options.method, headers, ...(agent ? { agent } : {}) });
    outgoing.on('error', (error) => answer(error));
    outgoing.on('response', (response: IncomingMessage) =>
      answer(null, { statusCode: response.statusCode ?? 502, headers: response.headers, body: response }),
    );
    if (options.headersTimeout) {
      outgoing.setTimeout(options.headersTimeout, () => {
        if (!answered)
          outgoing.destroy(
            Object.assign(new Error('the upstream did not answer in time'), { code: 'UND_ERR_HEADERS_TIMEOUT' }),
          );
      });
    }
    // the proxy forwards GET and HEAD only: no body
    outgoing.end();
  }
}
