/**
 * A Spark Connect session's start and the sc:// proxy's cost, with the real PySpark client:
 *   . .sparkplane/env.sh && npm run bench:session [-- --queries 20 --warmup 3]
 * Against the real runtime (local back-end, SQLite), times the start request (POST /api/v1/sessions)
 * to the session being RUNNING (its Spark Connect endpoint answers), and to the first query's result
 * through the runtime's sc:// endpoint; then a second query (with a shuffle) N times through the proxy (TLS, token
 * checked) and N times straight to the session's Spark Connect port, alternating, after warm-up.
 * The last line: session start=<s>s first-query=<s>s proxy/direct ratio=<r> (target <= 1.2).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SparkConnectProxy } from '../runtime/adapters/connect/grpc-proxy';
import type { SessionView } from '../runtime/domain/session';
import { sessionResolver } from '../runtime/main/connect-endpoint';
import { ADMIN_TOKEN, call, type Service, startService } from '../test/e2e/service-fixture';
import { sparkEnv } from '../test/support/spark';
import { type ClientReply, SparkConnectClient } from '../test/support/spark-connect';
import { makeTestCertificates } from '../test/support/test-ca';

const { values } = parseArgs({
  options: { queries: { type: 'string', default: '20' }, warmup: { type: 'string', default: '3' } },
});
const queries = Number(values.queries);
const warmup = Number(values.warmup);

const FIRST_QUERY = 'SELECT count(*) FROM range(0, 1000)';
const SECOND_QUERY = 'SELECT id % 10 AS k, count(*) AS n FROM range(0, 2000000, 1, 4) GROUP BY id % 10 ORDER BY k';

/** Starts a session through the API; resolves once it is RUNNING (its endpoint answered a call). */
async function startSession(service: Service): Promise<SessionView> {
  const started = await call<SessionView>(service.url, 'POST', '/api/v1/sessions', {
    body: { clusterId: 'local', configOverrides: { driver: { memory: '1g', cores: 2 } } },
  });
  if (started.status !== 201) throw new Error(`the session did not start: ${started.text}`);
  for (;;) {
    const view = (await call<SessionView>(service.url, 'GET', `/api/v1/sessions/${started.body.application.id}`)).body;
    const { state, stateReason } = view.application;
    if (state === 'RUNNING') return view;
    if (state !== 'NEW' && state !== 'PENDING') throw new Error(`the session ended ${state}: ${stateReason ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function seconds(reply: ClientReply, what: string): number {
  if (!reply.ok || reply.seconds === undefined) throw new Error(`${what} failed: ${JSON.stringify(reply)}`);
  return reply.seconds;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sparkplane-bench-session-'));
  const certificates = makeTestCertificates(dir);
  const service = await startService();
  const proxy = await SparkConnectProxy.start({
    port: 0,
    tls: certificates,
    resolver: sessionResolver(service.runtime.tokens, service.runtime.sessions),
  });
  const client = new SparkConnectClient(sparkEnv().pythonPath, certificates.caFile);
  try {
    // the client's modules are loaded before the clock starts: what is timed is the session
    await client.send({ op: 'ping' });
    const requested = performance.now();
    const session = await startSession(service);
    const ready = performance.now();
    await client.send({
      op: 'connect',
      name: 'proxy',
      url: `sc://127.0.0.1:${proxy.port}/;token=${ADMIN_TOKEN};session_id=${session.sessionId}`,
    });
    seconds(await client.send({ op: 'sql', name: 'proxy', sql: FIRST_QUERY }), 'the first query');
    const firstResult = performance.now();
    const startSeconds = (ready - requested) / 1000;
    const firstQuerySeconds = (firstResult - requested) / 1000;
    console.log(
      `session: ready in ${startSeconds.toFixed(2)} s, first query result ${firstQuerySeconds.toFixed(2)} s after the start request`,
    );

    // straight to the session's own port, which only the runtime's machine reaches (plaintext, no token)
    const admin = (await service.runtime.tokens.authenticate(ADMIN_TOKEN))!;
    const found = await service.runtime.sessions.bySessionId(session.sessionId, admin);
    if ('refused' in found) throw new Error(`the session's endpoint is not known: ${found.message}`);
    await client.send({
      op: 'connect',
      name: 'direct',
      url: `sc://localhost:${found.upstream.port}/;session_id=${randomUUID()}`,
    });
    const results = new Map<string, string>();
    const run = async (name: 'proxy' | 'direct') => {
      const reply = await client.send({ op: 'sql', name, sql: SECOND_QUERY });
      if (reply.ok) results.set(name, JSON.stringify(reply.rows));
      return seconds(reply, `the second query (${name})`);
    };
    for (let i = 0; i < warmup; i += 1) {
      await run('proxy');
      await run('direct');
    }
    const timings: Record<'proxy' | 'direct', number[]> = { proxy: [], direct: [] };
    for (let i = 0; i < queries; i += 1) {
      // alternate which goes first, so that neither path always follows the other
      const order: ('proxy' | 'direct')[] = i % 2 === 0 ? ['proxy', 'direct'] : ['direct', 'proxy'];
      for (const name of order) timings[name].push(await run(name));
    }
    if (results.get('proxy') !== results.get('direct')) {
      throw new Error(`the two paths disagree: proxy ${results.get('proxy')}, direct ${results.get('direct')}`);
    }
    const proxyMedian = median(timings.proxy);
    const directMedian = median(timings.direct);
    console.log(
      `second query, ${queries} times each: proxy median ${(proxyMedian * 1000).toFixed(1)} ms, direct median ${(directMedian * 1000).toFixed(1)} ms`,
    );
    console.log(
      `session start=${startSeconds.toFixed(2)}s first-query=${firstQuerySeconds.toFixed(2)}s proxy/direct ratio=${(proxyMedian / directMedian).toFixed(3)}`,
    );
  } finally {
    await client.close();
    await proxy.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
