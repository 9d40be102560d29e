/**
 * The `sparkplane` CLI. Each command group is a module of ./commands, loaded only when the command
 * line names it: `apps list` loads commander, the client and the table printer, never the runtime.
 * Exit codes: 0 success, 1 the application ended unsuccessfully, otherwise the error catalogue's
 * code for the error (runtime/domain/errors.ts).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { type Cli, cliOf, OUTPUT_FORMATS } from './context';
import { EXIT_OK, errorLines, exitCodeOf, UsageError } from './errors';

interface CommandModule {
  /** Adds the group's subcommands, options and actions to `command`. */
  register(command: Command, cli: Cli): void;
}

/** Every command in the order of the help, each with what it loads to run. */
const COMMANDS: readonly { name: string; description: string; load: () => Promise<CommandModule> }[] = [
  {
    name: 'serve',
    description: 'start the runtime service (SQLite and the local Spark back-end by default)',
    load: () => import('./commands/serve'),
  },
  {
    name: 'submit',
    description: 'submit an application, from a job file and/or flags',
    load: () => import('./commands/submit'),
  },
  {
    name: 'apply',
    description: 'apply jobs as code: SparkJob objects or job specs, from a file or a directory',
    load: () => import('./commands/apply'),
  },
  { name: 'apps', description: 'applications: list, get, logs, kill, wait', load: () => import('./commands/apps') },
  {
    name: 'jobs',
    description: 'jobs: list, get, stats, recommendation, apply',
    load: () => import('./commands/jobs'),
  },
  {
    name: 'sessions',
    description: 'interactive Spark Connect sessions: start, list, get, stop',
    load: () => import('./commands/sessions'),
  },
  { name: 'clusters', description: 'clusters and their health', load: () => import('./commands/clusters') },
  { name: 'templates', description: 'config templates of a cluster', load: () => import('./commands/templates') },
  { name: 'tokens', description: 'API tokens (admin)', load: () => import('./commands/tokens') },
  {
    name: 'render',
    description: 'print, as YAML, the resources the kubernetes back-end would create for a job file (dry run)',
    load: () => import('./commands/render'),
  },
  {
    name: 'cluster-token',
    description: "a kubeconfig exec plugin: an EKS or GKE API server's token from the runtime's cloud identity",
    load: () => import('./commands/cluster-token'),
  },
];

/** Global options that take a value: the word after them is not a command. */
const VALUED_OPTIONS = new Set(['--url', '--token', '-o', '--output']);

/**
 * The command the arguments name: the first word that is neither a global option nor its value
 * (`help apps` names apps).
 */
export function commandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (VALUED_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-') && arg !== 'help') return arg;
  }
  return undefined;
}

/** The version of the nearest sparkplane package.json up from this file, sources or build alike. */
function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'sparkplane' && manifest.version) return manifest.version;
    } catch {
      // none here: look further up
    }
    if (dir.pathname === '/') return 'unknown';
  }
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('sparkplane')
    .description('Apache Spark on Kubernetes: submit, follow and tune Spark applications')
    .version(packageVersion())
    .addOption(
      new Option('--url <url>', 'sparkplane API address').env('SPARKPLANE_URL').default('http://127.0.0.1:8080'),
    )
    .addOption(new Option('--token <token>', 'API token').env('SPARKPLANE_TOKEN'))
    .addOption(new Option('-o, --output <format>', 'print the whole answer as JSON or YAML').choices(OUTPUT_FORMATS))
    .option('--json', 'the same as -o json')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  const cli = cliOf(program);
  const named = commandOf(argv.slice(2));
  for (const { name, description, load } of COMMANDS) {
    const command = program.command(name).description(description);
    // the other commands are only named, for the help: their modules stay unloaded
    if (name === named) (await load()).register(command, cli);
  }

  try {
    await program.parseAsync(argv);
    return cli.exitCode;
  } catch (error) {
    if (error instanceof CommanderError)
      return error.exitCode === 0 ? EXIT_OK : exitCodeOf(new UsageError(error.message));
    for (const line of errorLines(error, { tokenSent: cli.client().hasToken })) console.error(line);
    return exitCodeOf(error);
  }
}
