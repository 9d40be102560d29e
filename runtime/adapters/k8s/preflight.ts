/**
 * What the cluster's API server would refuse in the SparkApplication an application's config
 * renders to, named as the config fields it comes from, so that the submission is refused with a
 * 400 before it is acknowledged (not acknowledged, then failed by a 422 at hand-over).
 */
import type { ApplicationConfig } from '../../domain/config';
import { DomainError, type FieldIssue } from '../../domain/errors';
import { CrdValidationThread } from './crd-validation-thread';
import { SPARK_APPLICATION_CRD_FILE, SPARK_CONNECT_CRD_FILE, type SchemaError } from './crd-validator';
import { type RenderContext } from './render';
import { renderResources } from './render-yaml';
import type { SparkApplication } from './spark-application';
import { SPARK_OPERATOR_VERSION } from './spark-application';
import { renderSparkConnect, SPARK_CONNECT_VERSION, type SparkConnectResource } from './spark-connect';

let sparkApplicationValidator: CrdValidationThread | undefined;
let sparkConnectValidator: CrdValidationThread | undefined;

/** The SparkApplication CRD's validator, shared by every kubernetes back-end (started by the first one). */
export function sparkApplicationCrd(): CrdValidationThread {
  sparkApplicationValidator ??= new CrdValidationThread(SPARK_APPLICATION_CRD_FILE, SPARK_OPERATOR_VERSION);
  return sparkApplicationValidator;
}

/** The SparkConnect CRD's validator (sessions), started by the first session checked. */
function sparkConnectCrd(): CrdValidationThread {
  sparkConnectValidator ??= new CrdValidationThread(SPARK_CONNECT_CRD_FILE, SPARK_CONNECT_VERSION);
  return sparkConnectValidator;
}

function segmentsOf(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function valueAt(object: unknown, segments: string[]): unknown {
  let node = object;
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** The config field a rendered field comes from, when the back-end renders it from one. */
function configPathOf(segments: string[], config: ApplicationConfig): string | undefined {
  const [root, first, ...rest] = segments;
  if (root === 'metadata' && first === 'labels') return ['labels', ...rest].join('.');
  if (root !== 'spec' || first === undefined) return undefined;
  if ((first === 'driver' || first === 'executor') && rest[0] === 'labels' && rest[1] !== undefined) {
    // pod labels merge the config's labels with the pod's own
    const own = config[first]?.labels?.[rest[1]] !== undefined;
    return own ? [first, 'labels', rest[1]].join('.') : ['labels', rest[1]].join('.');
  }
  return first in config ? [first, ...rest].join('.') : undefined;
}

function issueOf(
  error: SchemaError,
  resource: SparkApplication | SparkConnectResource,
  config: ApplicationConfig,
): FieldIssue {
  const segments = segmentsOf(error.pointer);
  const rendered = segments.join('.');
  // a SparkConnect's server is the config's driver
  const configSegments =
    resource.kind === 'SparkConnect' && segments[0] === 'spec' && segments[1] === 'server'
      ? ['spec', 'driver', ...segments.slice(2)]
      : segments;
  const configPath = configPathOf(configSegments, config);
  const value = valueAt(resource, segments);
  const shown = value === undefined ? '' : `${JSON.stringify(value)} `;
  if (configPath === undefined) {
    return {
      path: `${resource.kind}.${rendered}`,
      message: `the ${resource.kind} the cluster settings render is refused by the cluster's CRD: ${rendered} ${shown}${error.message}`,
    };
  }
  const path = `config.${configPath}`;
  return {
    path,
    message: `${path}: ${shown}${error.message} (the cluster's ${resource.kind} CRD, field ${rendered})`,
  };
}

/** Every reason the API server would refuse the application; empty when it would take it. */
export async function preflightIssues(config: ApplicationConfig, context: RenderContext): Promise<FieldIssue[]> {
  let resources: SparkApplication[];
  try {
    resources = renderResources(config, context);
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'VALIDATION_FAILED') throw error;
    return error.issues.map((issue) => {
      const path = issue.path === 'appId' ? issue.path : `config.${issue.path}`;
      return { path, message: `${path}: ${issue.message}` };
    });
  }
  const validator = sparkApplicationCrd();
  const found = await Promise.all(
    resources.map(async (resource) => (await validator.errors(resource)).map((e) => issueOf(e, resource, config))),
  );
  return found.flat();
}

/** Every reason the API server would refuse the SparkConnect of a session; empty when it would take it. */
export async function sessionPreflightIssues(config: ApplicationConfig, context: RenderContext): Promise<FieldIssue[]> {
  const resource = renderSparkConnect(config, context);
  return (await sparkConnectCrd().errors(resource)).map((e) => issueOf(e, resource, config));
}
