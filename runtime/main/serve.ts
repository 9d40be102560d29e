/** `sparkplane serve`: build the runtime, make sure an admin token exists, reconcile, schedule, listen. */
import { buildRuntime, type Runtime } from './runtime';
import { loadServiceConfig, type ServeOptions } from './config';

export async function serve(options: ServeOptions): Promise<Runtime> {
  const config = loadServiceConfig(options);
  const runtime = await buildRuntime(config);
  const admin = await runtime.tokens.ensureAdminToken(config.adminToken);
  if (admin?.generated) {
    // shown once: only its hash is stored
    process.stdout.write(`\nAdmin API token (shown once, store it now): ${admin.secret}\n\n`);
  }
  await runtime.applications.replicas.reconcile();
  runtime.applications.replicas.start();
  runtime.scheduler.start();
  const address = await runtime.server.listen({ port: config.port, host: config.host });
  runtime.logger.info(
    { address, dataDir: config.dataDir, clustersFile: config.clustersFile?.path },
    'sparkplane is serving',
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    runtime.logger.info({ signal }, 'shutting down');
    runtime.close().then(
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
