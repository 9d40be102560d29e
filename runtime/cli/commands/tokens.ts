/** `sparkplane tokens`: API tokens (a token with tokens:manage, e.g. the admin token). */
import type { Command } from 'commander';
import type { Cli } from '../context';
import { table } from '../output';

interface CreateOptions {
  scope: string[];
  cluster?: string[];
  job?: string[];
  template?: string[];
}

export function register(tokens: Command, cli: Cli): void {
  tokens
    .command('list')
    .description('every token with its scopes and limits (never a secret)')
    .action(async () => {
      const list = await cli.client().tokens();
      await cli.print(list, () =>
        table(list.items, [
          { header: 'ID', value: (t) => t.id },
          { header: 'NAME', value: (t) => t.name },
          { header: 'SCOPES', value: (t) => t.scopes.join(',') },
          {
            header: 'LIMITS',
            value: (t) =>
              [
                t.clusterIds && `clusters ${t.clusterIds.join(',')}`,
                t.jobIds && `jobs ${t.jobIds.join(',')}`,
                t.templateIds && `templates ${t.templateIds.join(',')}`,
              ]
                .filter(Boolean)
                .join('; '),
          },
          { header: 'CREATED', value: (t) => t.createdAt },
          { header: 'REVOKED', value: (t) => t.revokedAt },
        ]),
      );
    });

  tokens
    .command('create <name>')
    .description('a new token; its secret is printed once')
    .requiredOption('--scope <scope...>', 'scopes, e.g. applications:create applications:read')
    .option('--cluster <id...>', 'limit to these clusters')
    .option('--job <id...>', 'limit to these jobs')
    .option('--template <id...>', 'limit to these config templates')
    .action(async (name: string, options: CreateOptions) => {
      const created = await cli.client().createToken({
        name,
        scopes: options.scope,
        ...(options.cluster ? { clusterIds: options.cluster } : {}),
        ...(options.job ? { jobIds: options.job } : {}),
        ...(options.template ? { templateIds: options.template } : {}),
      });
      await cli.print(created, () => `token ${created.id} created; its secret is shown once:\n${created.secret}`);
    });

  tokens
    .command('revoke <id>')
    .description('the token stops working at once')
    .action(async (id: string) => {
      await cli.client().revokeToken(id);
      await cli.print({ revoked: id }, () => `revoked token ${id}`);
    });
}
