/**
 * One runtime replica as a child process (test/integration/replicas.test.ts): the real runtime,
 * configured as `sparkplane serve` is, from SPARKPLANE_DATABASE_URL, SPARKPLANE_CLUSTERS_FILE,
 * SPARKPLANE_ADMIN_TOKEN and KUBECONFIG, with the replica settings below. Prints
 * "LISTENING <port>" once it serves.
 *
 * SPARKPLANE_REPLICA_ID (required), SPARKPLANE_REPLICA_LEASE_SECONDS, SPARKPLANE_REPLICA_HEARTBEAT_MS.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadServiceConfig } from '../../runtime/main/config';
import { buildRuntime } from '../../runtime/main/runtime';

const id = process.env.SPARKPLANE_REPLICA_ID;
if (!id) throw new Error('SPARKPLANE_REPLICA_ID is not set: the test names each replica');
const numberOf = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const leaseSeconds = numberOf('SPARKPLANE_REPLICA_LEASE_SECONDS');
const heartbeatIntervalMs = numberOf('SPARKPLANE_REPLICA_HEARTBEAT_MS');

const config = loadServiceConfig({ port: 0, dataDir: mkdtempSync(join(tmpdir(), `sparkplane-${id}-`)) });
const runtime = await buildRuntime(config, {
  logger: pino({ level: 'warn' }),
  replica: {
    id,
    ...(leaseSeconds !== undefined ? { leaseSeconds } : {}),
    ...(heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs } : {}),
  },
});
await runtime.tokens.ensureAdminToken(config.adminToken);
await runtime.start();
await runtime.server.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`LISTENING ${(runtime.server.server.address() as AddressInfo).port}\n`);
process.once('SIGTERM', () => {
  runtime.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
