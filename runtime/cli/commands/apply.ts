/**
 * `sparkplane apply -f <file|dir>`: the jobs-as-code files a platform applies to Kubernetes
 * (SparkJob objects, possibly several YAML documents a file) or plain job specs, applied to a
 * runtime through its API. Every document is checked before the first is sent.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { JobSpec, type JobSummary } from '../../domain/resources';
import { SPARK_JOB_KIND, SparkJobSpec } from '../../domain/spark-job';
import { parseOrThrow } from '../../domain/validation';
import type { Cli } from '../context';
import { UsageError } from '../errors';

const JOB_FILE = /\.(ya?ml|json)$/;

async function filesOf(path: string): Promise<string[]> {
  const info = await stat(path).catch((error: Error) => {
    throw new UsageError(`cannot read ${path}: ${error.message}`);
  });
  if (!info.isDirectory()) return [path];
  return (await readdir(path))
    .filter((name) => JOB_FILE.test(name))
    .sort()
    .map((name) => join(path, name));
}

/** The job specs of one file: each document a SparkJob (its spec, id defaulting to its name) or a JobSpec. */
export function jobSpecsOf(text: string, file: string): JobSpec[] {
  return parseAllDocuments(text)
    .map((document, i) => {
      if (document.errors.length > 0)
        throw new UsageError(`${file}: document ${i + 1} is not valid YAML: ${document.errors[0]!.message}`);
      return document.toJS() as unknown;
    })
    .filter((document) => document !== null && document !== undefined)
    .map((document, i) => {
      try {
        const object = document as { kind?: unknown; metadata?: { name?: unknown }; spec?: unknown };
        if (object.kind !== SPARK_JOB_KIND) return parseOrThrow(JobSpec, document);
        const spec = parseOrThrow(SparkJobSpec, object.spec ?? {}, ['spec']);
        return parseOrThrow(JobSpec, { ...spec, id: spec.id ?? object.metadata?.name });
      } catch (error) {
        throw new UsageError(`${file}: document ${i + 1}: ${(error as Error).message}`);
      }
    });
}

export function register(command: Command, cli: Cli): void {
  command
    .requiredOption('-f, --file <path>', 'a file or a directory of .yaml/.json files: SparkJob objects or job specs')
    .action(async (options: { file: string }) => {
      const specs: JobSpec[] = [];
      for (const file of await filesOf(options.file)) specs.push(...jobSpecsOf(await readFile(file, 'utf8'), file));
      const applied: JobSummary[] = [];
      for (const spec of specs) applied.push(await cli.client().applyJob(spec));
      await cli.print(applied, () =>
        applied.map((job) => `applied job ${job.id} on cluster ${job.clusterId}`).join('\n'),
      );
    });
}
