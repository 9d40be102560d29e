/**
 * Files (YAML or JSON) the CLI reads and checks before sending: job files (a submission) for
 * `submit -f` and `render -f`, job specs (a job as code) for `jobs apply -f`, template configs for
 * `templates create|update -f`. Checked with the domain's schemas, so a mistake names its field.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { ResourceId } from '../domain/common';
import { ApplicationConfig } from '../domain/config';
import { JobSpec, SubmitRequest } from '../domain/resources';
import { parseOrThrow } from '../domain/validation';
import { UsageError } from './errors';

/** A submission plus the cluster it goes to: `{ jobId, clusterId?, appId?, configTemplateId?, configOverrides? }`. */
export const JobFile = SubmitRequest.extend({ clusterId: ResourceId.optional() });
export type JobFile = z.infer<typeof JobFile>;

export function readJobFile(path: string): Promise<JobFile> {
  return readValidated(path, JobFile, 'job file');
}

export function readJobSpecFile(path: string): Promise<JobSpec> {
  return readValidated(path, JobSpec, 'job spec');
}

export function readTemplateConfigFile(path: string): Promise<ApplicationConfig> {
  return readValidated(path, ApplicationConfig, 'template config');
}

async function readValidated<S extends z.ZodType>(path: string, schema: S, what: string): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid YAML or JSON: ${(error as Error).message}`);
  }
  try {
    return parseOrThrow(schema, document);
  } catch (error) {
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
}
