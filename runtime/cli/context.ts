/** What every command gets from the global options: the API client, the output format, the exit code. */
import type { Command } from 'commander';
import { ApiClient } from './client';

/** `-o`: the whole answer as JSON or YAML instead of the readable form (kubectl's -o). */
export const OUTPUT_FORMATS = ['json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface GlobalOptions {
  url: string;
  token?: string;
  output?: OutputFormat;
  /** The older spelling of `-o json`, kept for scripts. */
  json?: boolean;
}

export interface Cli {
  client(): ApiClient;
  /** With -o, `value` whole in that format; otherwise the readable text `human()` makes. */
  print(value: unknown, human: () => string): Promise<void>;
  /** False with -o: progress (states, the driver log) would spoil the JSON or YAML on stdout. */
  forPeople(): boolean;
  /** The exit code once the command is done (EXIT_APP_UNSUCCESSFUL when a run failed). */
  exitCode: number;
}

export function cliOf(program: Command): Cli {
  const options = () => program.opts<GlobalOptions>();
  const format = (): OutputFormat | undefined => options().output ?? (options().json ? 'json' : undefined);
  let client: ApiClient | undefined;
  return {
    client: () => (client ??= new ApiClient({ url: options().url, token: options().token })),
    async print(value, human) {
      const as = format();
      if (as === 'json') console.log(JSON.stringify(value, null, 2));
      else if (as === 'yaml') console.log((await import('yaml')).stringify(value).trimEnd());
      else console.log(human());
    },
    forPeople: () => format() === undefined,
    exitCode: 0,
  };
}
