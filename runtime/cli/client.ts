/**
 * A client of the native API (/api/v1) for the CLI. Its answers are the domain's types, imported
 * as types only: reading an answer loads no schema library (zod alone takes ~0.3 s to load).
 * It speaks node:http, not fetch: fetch's first request costs tens of milliseconds more (undici
 * and its WebAssembly parser load), which a command that makes one request pays in full.
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { Application } from '../domain/application';
import type { Cluster } from '../domain/cluster';
import type { Page } from '../domain/common';
import type { ErrorCode } from '../domain/errors';
import type { JobStatistics } from '../domain/job-statistics';
import type { Problem } from '../domain/problem';
import type { Recommendation } from '../domain/recommendation';
import type {
  ConfigTemplate,
  JobDetail,
  JobSpec,
  JobSummary,
  StoredTemplate,
  SubmitRequest,
} from '../domain/resources';
import type { SessionList, SessionStartRequest, SessionView } from '../domain/session';
import type { CreatedToken, CreateTokenRequest, TokenView } from '../domain/tokens';

export interface ClientOptions {
  /** @default "http://127.0.0.1:8080" or SPARKPLANE_URL */
  url: string;
  /** API token; SPARKPLANE_TOKEN by default, none when neither is set. */
  token?: string;
}

/** Query parameters; an array repeats the parameter, undefined leaves it out. */
export type Query = Record<string, string | number | readonly string[] | undefined>;

/** The short lists (clusters, templates, tokens) answer every item, without a cursor. */
type List<T> = Pick<Page<T>, 'items'>;

/** An error the API answered (its problem document), or the API not reachable (BACKEND_UNAVAILABLE, status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** From the catalogue when the answer was a problem document; undefined for any other body. */
    readonly code: ErrorCode | undefined,
    /** One line per field issue, or the problem's detail: each message once. */
    readonly messages: readonly string[],
  ) {
    super(messages.join('\n'));
    this.name = 'ApiError';
  }
}

const path = (...segments: string[]) => segments.map(encodeURIComponent).join('/');

export class ApiClient {
  constructor(private readonly options: ClientOptions) {}

  /** Whether a token is sent: a 401 without one deserves a hint on how to pass it. */
  get hasToken(): boolean {
    return Boolean(this.options.token);
  }

  clusters(): Promise<List<Cluster>> {
    return this.json('GET', '/api/v1/clusters');
  }

  cluster(id: string): Promise<Cluster> {
    return this.json('GET', `/api/v1/clusters/${path(id)}`);
  }

  applications(query: Query): Promise<Page<Application>> {
    return this.json('GET', '/api/v1/applications', { query });
  }

  application(id: string): Promise<Application> {
    return this.json('GET', `/api/v1/applications/${path(id)}`);
  }

  /** An application that already ended is answered unchanged. */
  kill(id: string): Promise<Application> {
    return this.json('DELETE', `/api/v1/applications/${path(id)}`);
  }

  /** The overrides go as the command line built them: the API checks them and names any bad field. */
  submit(
    request: Omit<SubmitRequest, 'configOverrides'> & { clusterId: string; configOverrides: Record<string, unknown> },
    idempotencyKey?: string,
  ): Promise<Application> {
    const headers: Record<string, string> = idempotencyKey ? { 'idempotency-key': idempotencyKey } : {};
    return this.json('POST', '/api/v1/applications', { body: request, headers });
  }

  /** The driver log line by line; with follow, until the application ends or `signal` aborts. */
  async *log(id: string, options: { follow?: boolean; signal?: AbortSignal } = {}): AsyncIterable<string> {
    const query = options.follow ? { follow: 'true' } : {};
    const response = await this.send('GET', `/api/v1/applications/${path(id)}/log`, { query, signal: options.signal });
    if (!ok(response)) throw await errorOf(response);
    response.setEncoding('utf8');
    let pending = '';
    for await (const chunk of response as AsyncIterable<string>) {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      yield* lines;
    }
    if (pending) yield pending;
  }

  jobs(query: Query): Promise<Page<JobSummary>> {
    return this.json('GET', '/api/v1/jobs', { query });
  }

  job(id: string): Promise<JobDetail> {
    return this.json('GET', `/api/v1/jobs/${path(id)}`);
  }

  jobStatistics(id: string): Promise<JobStatistics> {
    return this.json('GET', `/api/v1/jobs/${path(id)}/statistics`);
  }

  jobRecommendation(id: string): Promise<Recommendation> {
    return this.json('GET', `/api/v1/jobs/${path(id)}/recommendation`);
  }

  /** Creates or replaces the job of `spec.id`. */
  applyJob(spec: JobSpec): Promise<JobSummary> {
    return this.json('PUT', `/api/v1/jobs/${path(spec.id)}/config`, { body: spec });
  }

  startSession(request: SessionStartRequest): Promise<SessionView> {
    return this.json('POST', '/api/v1/sessions', { body: request });
  }

  sessions(query: { clusterId?: string; limit?: number; cursor?: string }): Promise<SessionList> {
    return this.json('GET', '/api/v1/sessions', { query });
  }

  session(id: string): Promise<SessionView> {
    return this.json('GET', `/api/v1/sessions/${path(id)}`);
  }

  stopSession(id: string): Promise<SessionView> {
    return this.json('DELETE', `/api/v1/sessions/${path(id)}`);
  }

  templates(clusterId: string): Promise<List<StoredTemplate>> {
    return this.json('GET', `/api/v1/clusters/${path(clusterId)}/templates`);
  }

  template(clusterId: string, id: string): Promise<StoredTemplate> {
    return this.json('GET', `/api/v1/clusters/${path(clusterId, 'templates', id)}`);
  }

  createTemplate(clusterId: string, template: ConfigTemplate): Promise<StoredTemplate> {
    return this.json('POST', `/api/v1/clusters/${path(clusterId)}/templates`, { body: template });
  }

  updateTemplate(clusterId: string, template: ConfigTemplate): Promise<StoredTemplate> {
    return this.json('PUT', `/api/v1/clusters/${path(clusterId, 'templates', template.id)}`, { body: template });
  }

  async deleteTemplate(clusterId: string, id: string): Promise<void> {
    await this.json('DELETE', `/api/v1/clusters/${path(clusterId, 'templates', id)}`);
  }

  tokens(): Promise<List<TokenView>> {
    return this.json('GET', '/api/v1/tokens');
  }

  /** Scopes as sent: the hosted product's names are accepted too. */
  createToken(request: z.input<typeof CreateTokenRequest>): Promise<CreatedToken> {
    return this.json('POST', '/api/v1/tokens', { body: request });
  }

  async revokeToken(id: string): Promise<void> {
    await this.json('DELETE', `/api/v1/tokens/${path(id)}`);
  }

  private async json<T>(method: string, to: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, to, options);
    if (!ok(response)) throw await errorOf(response);
    const text = await textOf(response);
    // trusted to match the route's response schema, which the server checks (no schema loaded here)
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private async send(method: string, to: string, options: RequestOptions): Promise<IncomingMessage> {
    const url = new URL(to, this.options.url);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue;
      for (const each of typeof value === 'object' ? value : [value]) url.searchParams.append(name, String(each));
    }
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    // https only when asked for: TLS takes its own time to load
    const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
    return new Promise((resolve, reject) => {
      const sent = request(url, { method, headers, signal: options.signal }, resolve);
      sent.once('error', (error) => {
        if (options.signal?.aborted) reject(error);
        else
          reject(
            new ApiError(0, 'BACKEND_UNAVAILABLE', [
              `cannot reach the sparkplane API at ${this.options.url}: ${error.message}`,
            ]),
          );
      });
      sent.end(payload);
    });
  }
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

const ok = (response: IncomingMessage) => (response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300;

async function textOf(response: IncomingMessage): Promise<string> {
  response.setEncoding('utf8');
  let text = '';
  for await (const chunk of response as AsyncIterable<string>) text += chunk;
  return text;
}

/** The problem document of an error answer; a body that is not one (a proxy's page) is named by its status. */
async function errorOf(response: IncomingMessage): Promise<ApiError> {
  const status = response.statusCode ?? 0;
  let problem: Partial<Problem> = {};
  try {
    problem = JSON.parse(await textOf(response)) as Partial<Problem>;
  } catch {
    // not JSON: the status line says what happened
  }
  // `detail` joins every field issue: print the issues alone, so that each shows once
  const issues = problem.errors?.map((e) => e.message) ?? [];
  const messages =
    issues.length > 0
      ? issues
      : [problem.detail ?? problem.title ?? `HTTP ${status} ${response.statusMessage ?? ''}`.trim()];
  return new ApiError(status, problem.code, messages);
}
