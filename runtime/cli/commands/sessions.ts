/** `sparkplane sessions`: interactive Spark Connect sessions (applications without a job). */
import type { Command } from 'commander';
import type { SessionView } from '../../domain/session';
import type { Cli } from '../context';
import { fields, table } from '../output';

function sessionFields(s: SessionView): string {
  const app = s.application;
  return fields([
    ['Name', app.id],
    ['Cluster', app.clusterId],
    ['State', `${app.state}${app.stateReason ? ` (${app.stateReason})` : ''}`],
    ['Session id', s.sessionId],
    ['Idle time-out', `${s.idleTimeoutMinutes} minutes`],
    ...(s.lastActivityAt ? [['Last request', s.lastActivityAt] as const] : []),
    ['Spark Connect', s.connect.sparkConnectUrl],
    ['Ocean path', s.connect.oceanPath],
    ...(s.connect.hivePath ? [['HiveServer2 (WebSocket)', s.connect.hivePath] as const] : []),
    ...(s.connect.codePath ? [['HiveServer2 (HTTP)', s.connect.codePath] as const] : []),
    ...(app.metrics?.cost ? [['Cost', `${app.metrics.cost.total} ${app.metrics.cost.currency}`] as const] : []),
  ]);
}

export function register(sessions: Command, cli: Cli): void {
  sessions
    .command('start')
    .description('start a session (a Spark Connect server); it is RUNNING once Spark Connect answers')
    .option('--cluster <id>', 'cluster id', 'local')
    .option('--template <id>', 'config template')
    .option('--name <id>', 'the session id (appId) @default generated')
    .option('--idle-minutes <minutes>', "stop it after this long without a request @default 60, or the template's")
    .option('--driver-memory <memory>', 'e.g. 512m')
    .option('--kind <kind>', 'connect (Spark Connect) or sql (a Spark Thrift Server, for dbt) @default connect')
    .action(
      async (options: {
        cluster: string;
        template?: string;
        name?: string;
        idleMinutes?: string;
        driverMemory?: string;
        kind?: string;
      }) => {
        const session = {
          ...(options.idleMinutes !== undefined ? { idleTimeoutMinutes: Number(options.idleMinutes) } : {}),
          // the runtime checks the kind and names it in a 400
          ...(options.kind !== undefined ? { kind: options.kind as 'connect' | 'sql' } : {}),
        };
        const overrides = {
          ...(Object.keys(session).length > 0 ? { session } : {}),
          ...(options.driverMemory !== undefined ? { driver: { memory: options.driverMemory } } : {}),
        };
        const started = await cli.client().startSession({
          clusterId: options.cluster,
          ...(options.template !== undefined ? { configTemplateId: options.template } : {}),
          ...(options.name !== undefined ? { appId: options.name } : {}),
          ...(Object.keys(overrides).length > 0 ? { configOverrides: overrides } : {}),
        });
        await cli.print(started, () => `started session ${started.application.id}\n${sessionFields(started)}`);
      },
    );

  sessions
    .command('list')
    .description('the sessions the token may see, newest first')
    .option('--cluster <id>', 'only this cluster')
    .action(async (options: { cluster?: string }) => {
      const list = await cli.client().sessions(options.cluster !== undefined ? { clusterId: options.cluster } : {});
      await cli.print(list, () =>
        table(list.items, [
          { header: 'SESSION', value: (s) => s.application.id },
          { header: 'CLUSTER', value: (s) => s.application.clusterId },
          { header: 'STATE', value: (s) => s.application.state },
          { header: 'CREATED', value: (s) => s.application.createdAt },
          { header: 'LAST REQUEST', value: (s) => s.lastActivityAt },
        ]),
      );
    });

  sessions
    .command('get <id>')
    .description('a session: its state, idle time-out and how to connect')
    .action(async (id: string) => {
      const session = await cli.client().session(id);
      await cli.print(session, () => sessionFields(session));
    });

  sessions
    .command('stop <id>')
    .description('stop a session (KILLED); it is then measured and costed from its event log')
    .action(async (id: string) => {
      const session = await cli.client().stopSession(id);
      await cli.print(session, () => `stopped session ${id}: ${session.application.state}`);
    });
}
