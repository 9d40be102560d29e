/**
 * The real runtime for end-to-end tests: buildRuntime on a temporary data directory (SQLite, the
 * local Spark back-end), listening on 127.0.0.1 at a free port, with an admin token from the config.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Application } from '../../runtime/domain/application';
import type { BackendPlugin } from '../../runtime/domain/ports';
import { isTerminal } from '../../runtime/domain/states';
import { loadServiceConfig } from '../../runtime/main/config';
import { buildRuntime, type Runtime } from '../../runtime/main/runtime';
import { waitFor } from '../support/spark';

export interface Service {
  url: string;
  adminToken: string;
  dataDir: string;
  runtime: Runtime;
  /** Closes the runtime (its back-end stops what still runs) and removes the data directory. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** @default a new temporary directory, removed by close() */
  dataDir?: string;
  /**
   * Settings of the `local` cluster, e.g. { maxParallelism: 2 }. @default a capacity of 64 cores
   * and 256g, so that the tests written before admission run their submissions side by side; give
   * `capacity` to queue them
   */
  localSettings?: Record<string, unknown>;
  /**
   * The back-end kinds instead of the shipped ones, e.g. [fakeBackendPlugin()] so that the `local`
   * cluster runs nothing (no JVM per submission). @default the shipped ones (real Spark)
   */
  plugins?: BackendPlugin[];
  /** More `local` clusters beside `local`, e.g. [{ id: 'edge' }] for views that span clusters (as roomy). @default none */
  extraClusters?: { id: string; settings?: Record<string, unknown>; region?: string }[];
  /** The runtime's Spark History Server (SPARKPLANE_HISTORY_SERVER_URL). @default none */
  historyServerUrl?: string;
  /** How often idle sessions are looked for, ms. @default the runtime's (30 s) */
  sessionIdleSweepIntervalMs?: number;
}

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789';

/** More than this machine has: applications never wait for one another unless a test says so. */
const ROOMY = { cores: 64, memory: '256g' };

export async function startService(options: ServiceOptions = {}): Promise<Service> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sparkplane-e2e-'));
  const config = loadServiceConfig(
    { port: 0, dataDir },
    {
      SPARKPLANE_ADMIN_TOKEN: ADMIN_TOKEN,
      ...(options.historyServerUrl ? { SPARKPLANE_HISTORY_SERVER_URL: options.historyServerUrl } : {}),
    },
  );
  const clusters = [
    { id: 'local', backend: 'local', settings: { capacity: ROOMY, ...options.localSettings } },
    ...(options.extraClusters ?? []).map((c) => ({
      ...c,
      backend: 'local',
      settings: { capacity: ROOMY, ...c.settings },
    })),
  ];
  config.clustersFile = { path: 'the end-to-end fixture', clusters };
  const runtime = await buildRuntime(config, {
    logger: pino({ level: 'warn' }),
    validateResponses: true,
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(options.sessionIdleSweepIntervalMs !== undefined
      ? { sessionIdleSweepIntervalMs: options.sessionIdleSweepIntervalMs }
      : {}),
  });
  await runtime.tokens.ensureAdminToken(config.adminToken);
  await runtime.start();
  const url = await runtime.server.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    adminToken: ADMIN_TOKEN,
    dataDir,
    runtime,
    async close() {
      await runtime.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

export interface HttpResult<T> {
  status: number;
  body: T;
  text: string;
}

/** One HTTP request with the admin token (or `token`); JSON in, JSON (or text) out. */
export async function call<T = unknown>(
  url: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? ADMIN_TOKEN}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(path, url), {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text (logs)
  }
  return { status: response.status, body: body as T, text };
}

/** Waits until the application has ended and (when it ran) its event log was measured. */
export function waitForEnd(url: string, appId: string, timeoutMillis = 240_000): Promise<Application> {
  let last: Application | undefined;
  return waitFor(
    () => `${appId} to end and be measured (last seen: ${last?.state} ${last?.stateReason ?? ''})`,
    async () => {
      last = (await call<Application>(url, 'GET', `/api/v1/applications/${appId}`)).body;
      if (!isTerminal(last.state)) return undefined;
      // metrics are written just after the terminal state; a run killed before Spark started has none
      return last.metrics || last.state === 'KILLED' || last.state === 'FAILED' ? last : undefined;
    },
    timeoutMillis,
  );
}
