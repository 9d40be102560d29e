/**
 * Files (YAML or JSON) the CLI reads: job files (a submission) for `submit -f` and `render -f`,
 * job specs (a job as code: config, schedule, tuning) for `jobs apply -f`.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { ResourceId } from '../domain/common';
import { JobSpec, SubmitRequest } from '../domain/resources';
import { parseOrThrow } from '../domain/validation';

/** A submission plus the cluster it goes to: `{ jobId, clusterId?, appId?, configTemplateId?, configOverrides? }`. */
export const JobFile = SubmitRequest.extend({ clusterId: ResourceId.optional() });
export type JobFile = z.infer<typeof JobFile>;

export function readJobFile(path: string): Promise<JobFile> {
  return readValidated(path, JobFile, 'job file');
}

export function readJobSpecFile(path: string): Promise<JobSpec> {
  return readValidated(path, JobSpec, 'job spec');
}

async function readValidated<S extends z.ZodType>(path: string, schema: S, what: string): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid YAML or JSON: ${(error as Error).message}`);
  }
  try {
    return parseOrThrow(schema, document);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

/** `--set executor.memory=4g` -> { executor: { memory: "4g" } }; numbers and booleans are typed. */
export function parseSetting(setting: string, into: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = setting.indexOf('=');
  if (eq <= 0)
    throw new Error(`--set ${JSON.stringify(setting)} is not of the form path=value, e.g. executor.memory=4g`);
  const path = setting.slice(0, eq);
  const raw = setting.slice(eq + 1);
  // sparkConf and hadoopConf keys contain dots themselves: everything after the map name is one key
  const keys = /^(sparkConf|hadoopConf|labels)\./.test(path)
    ? [path.slice(0, path.indexOf('.')), path.slice(path.indexOf('.') + 1)]
    : path.split('.');
  const value: unknown =
    keys[0] === 'sparkConf' || keys[0] === 'hadoopConf' || keys[0] === 'labels'
      ? raw
      : /^-?\d+$/.test(raw)
        ? Number(raw)
        : raw === 'true' || raw === 'false'
          ? raw === 'true'
          : raw;
  let node = into;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
  return into;
}
