/** `sparkplane serve`: the runtime service in this process, until a signal stops it. */
import { type Command, Option } from 'commander';
import { UsageError } from '../errors';
import { loadTypeScript } from '../typescript-sources';

export function register(command: Command): void {
  command
    .option('--port <port>', 'port to listen on', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'where the database, event logs and driver logs go', './data')
    .addOption(
      new Option('--database-url <url>', 'PostgreSQL URL (default: SQLite in the data dir)').env(
        'SPARKPLANE_DATABASE_URL',
      ),
    )
    .action(async (options: { port: string; host: string; dataDir: string; databaseUrl?: string }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port ${JSON.stringify(options.port)} is not a port number (0-65535)`);
      await loadTypeScript();
      const { serve } = await import('../../main/serve');
      await serve({ port, host: options.host, dataDir: options.dataDir, databaseUrl: options.databaseUrl });
      await new Promise(() => undefined); // serve until a signal stops the process
    });
}
