/**
 * A Spark Connect session's start and the sc:// proxy's cost, with the real PySpark client:
 *   . .sparkplane/env.sh && npm run bench:session [-- --queries 20 --warmup 3]
 * Times the start request to the session's endpoint answering, and to the first query's result
 * through the proxy; then a second query (with a shuffle) N times through the proxy (TLS, token
 * checked) and N times straight to the session's Spark Connect port, alternating, after warm-up.
 * The last line: session start=<s>s first-query=<s>s proxy/direct ratio=<r> (target <= 1.2).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SparkConnectProxy } from '../runtime/adapters/connect/grpc-proxy';
import type { ConnectSessionResolver, ConnectTarget } from '../runtime/adapters/connect/session-resolver';
import { sparkEnv } from '../test/support/spark';
import { type ClientReply, SparkConnectClient, startSparkConnectServer } from '../test/support/spark-connect';
import { makeTestCertificates } from '../test/support/test-ca';

const { values } = parseArgs({
  options: { queries: { type: 'string', default: '20' }, warmup: { type: 'string', default: '3' } },
});
const queries = Number(values.queries);
const warmup = Number(values.warmup);

const FIRST_QUERY = 'SELECT count(*) FROM range(0, 1000)';
const SECOND_QUERY = 'SELECT id % 10 AS k, count(*) AS n FROM range(0, 2000000, 1, 4) GROUP BY id % 10 ORDER BY k';

interface StartedSession {
  target: ConnectTarget;
  stop: () => Promise<void>;
}

/** Starts one session and resolves once its endpoint answers: the one step the sessions API will take over. */
async function startSession(dir: string): Promise<StartedSession> {
  const server = await startSparkConnectServer(sparkEnv(), join(dir, 'spark'), randomUUID());
  return {
    target: { host: server.host, port: server.port, appId: 'bench-session', serverToken: server.token },
    stop: server.stop,
  };
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
  const token = `sp_${randomUUID()}`;
  const sessionId = randomUUID();
  let session: StartedSession | undefined;
  const resolver: ConnectSessionResolver = {
    resolve: async (id, given) => {
      if (given !== token) return { refused: 'unauthenticated', message: 'unknown token' };
      if (id !== sessionId || session === undefined) return { refused: 'not-found', message: `no session ${id}` };
      return session.target;
    },
    touch: () => undefined,
  };
  const proxy = await SparkConnectProxy.start({ port: 0, tls: certificates, resolver });
  const client = new SparkConnectClient(sparkEnv().pythonPath, certificates.caFile);
  try {
    // the client's modules are loaded before the clock starts: what is timed is the session
    await client.send({ op: 'ping' });
    const requested = performance.now();
    session = await startSession(dir);
    const ready = performance.now();
    await client.send({
      op: 'connect',
      name: 'proxy',
      url: `sc://127.0.0.1:${proxy.port}/;token=${token};session_id=${sessionId}`,
    });
    seconds(await client.send({ op: 'sql', name: 'proxy', sql: FIRST_QUERY }), 'the first query');
    const firstResult = performance.now();
    const startSeconds = (ready - requested) / 1000;
    const firstQuerySeconds = (firstResult - requested) / 1000;
    console.log(
      `session: ready in ${startSeconds.toFixed(2)} s, first query result ${firstQuerySeconds.toFixed(2)} s after the start request`,
    );

    // straight to the session's port: plaintext on loopback with Spark's own token ("localhost" keeps pyspark off TLS)
    const { port, serverToken } = session.target;
    await client.send({
      op: 'connect',
      name: 'direct',
      url: `sc://localhost:${port}/;token=${serverToken};session_id=${randomUUID()}`,
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
    await session?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
