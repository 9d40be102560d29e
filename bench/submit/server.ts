/**
 * The submission benchmark's server, in its own process so the load generator does not share its
 * event loop: the real runtime (store, use cases, both APIs) with a back-end that accepts and runs
 * nothing, plus a bare route of the same server that parses the body and stores nothing.
 * Prints one JSON line {port, token, store} on stdout when it listens; its logs go to stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destination, pino } from 'pino';
import { ServiceConfig } from '../../runtime/main/config';
import { buildRuntime } from '../../runtime/main/runtime';
import { fakeBackendPlugin } from '../../test/support/fake-backend';

const dataDir = mkdtempSync(join(tmpdir(), 'sparkplane-bench-'));
const token = 'bench-admin-token-0123456789';
const config = ServiceConfig.parse({
  dataDir,
  port: 0,
  databaseUrl: process.env.BENCH_DATABASE_URL,
  adminToken: token,
});
const runtime = await buildRuntime(config, {
  plugins: [fakeBackendPlugin()],
  // stdout carries the line the benchmark waits for
  logger: pino({ level: 'warn' }, destination(2)),
});
await runtime.tokens.ensureAdminToken(token);
runtime.server.post('/bench/bare', async (request, reply) => {
  reply.code(201);
  return { id: 'bare', received: typeof request.body };
});
await runtime.server.listen({ port: 0, host: '127.0.0.1' });
const address = runtime.server.server.address() as import('node:net').AddressInfo;
process.stdout.write(`${JSON.stringify({ port: address.port, token, store: runtime.store.kind })}\n`);

const stop = async () => {
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
