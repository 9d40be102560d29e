/** `sparkplane serve`: build the runtime, make sure an admin token exists, listen, then reconcile and schedule. */
import { startConnectEndpoint } from './connect-endpoint';
import { buildRuntime, type Runtime } from './runtime';
import { loadServiceConfig, type ServeOptions } from './config';

export async function serve(options: ServeOptions): Promise<Runtime> {
  const config = loadServiceConfig(options);
  const runtime = await buildRuntime(config);
  const admin = await runtime.tokens.ensureAdminToken(config.adminToken);
  if (config.metricsToken) await runtime.tokens.ensureMetricsToken(config.metricsToken);
  if (admin?.generated) {
    // shown once: only its hash is stored
    process.stdout.write(`\nAdmin API token (shown once, store it now): ${admin.secret}\n\n`);
  }
  const address = await runtime.server.listen({ port: config.port, host: config.host });
  const connect = await startConnectEndpoint(runtime);
  runtime.logger.info(
    {
      address,
      ...(connect ? { sparkConnect: `sc://${config.connect?.host ?? config.host}:${connect.port}` } : {}),
      dataDir: config.dataDir,
      clustersFile: config.clustersFile?.path,
    },
    'sparkplane is serving; ready once reconciled',
  );
  const reconciling = performance.now();
  runtime.start().then(
    () => runtime.logger.info({ ms: Math.round(performance.now() - reconciling) }, 'reconciled: ready'),
    (error: unknown) => {
      // a runtime that cannot settle what it owns must not serve as if it had: its supervisor restarts it
      runtime.logger.fatal({ err: error }, 'reconciliation failed');
      process.exit(1);
    },
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    runtime.logger.info({ signal }, 'shutting down');
    Promise.all([connect?.close(), runtime.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        runtime.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return runtime;
}
