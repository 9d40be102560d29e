/** A small client of the native API (/api/v1) for the CLI; errors carry the API's code. */

export interface ClientOptions {
  /** @default "http://127.0.0.1:8080" or SPARKPLANE_URL */
  url: string;
  /** API token; SPARKPLANE_TOKEN by default. */
  token?: string;
}

/** An error answered by the API, or the API not reachable (code BACKEND_UNAVAILABLE, status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface Problem {
  code?: string;
  title?: string;
  detail?: string;
  errors?: { path?: string; message: string }[];
}

export class ApiClient {
  constructor(private readonly options: ClientOptions) {}

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await this.send(method, path, body, headers);
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const problem = (parsed ?? {}) as Problem;
      const details = problem.errors?.map((e) => e.message).join('\n  ');
      const message = details ? `${problem.detail ?? problem.title}\n  ${details}` : (problem.detail ?? problem.title);
      throw new ApiError(response.status, problem.code ?? `HTTP_${response.status}`, message ?? response.statusText);
    }
    return parsed as T;
  }

  /** A streamed plain-text body (live logs), line by line. */
  async *lines(path: string, signal?: AbortSignal): AsyncIterable<string> {
    const response = await this.send('GET', path, undefined, {}, signal);
    if (!response.ok || !response.body) {
      await this.request('GET', path);
      return;
    }
    const decoder = new TextDecoder();
    let pending = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      yield* parts;
    }
    if (pending) yield pending;
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Response> {
    const all: Record<string, string> = { ...headers };
    if (this.options.token) all.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) all['content-type'] = 'application/json';
    try {
      return await fetch(new URL(path, this.options.url), {
        method,
        headers: all,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(
        0,
        'BACKEND_UNAVAILABLE',
        `cannot reach the sparkplane API at ${this.options.url}: ${String((error as Error).cause ?? error)}`,
      );
    }
  }
}
