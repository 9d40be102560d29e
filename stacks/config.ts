/**
 * The stack's configuration, read once and validated with zod. Keys live under the project
 * namespace (`sparkplane:<key>`); a wrong value names its config key, the value and what is expected,
 * e.g. `sparkplane:aws.karpenter.executorLimits.cpu: -1 is too small: expected > 0`.
 */
import { z } from 'zod';
import {
  AwsClusterArgs,
  crossFieldErrors,
  ExistingClusterArgs,
  FleetArgs,
  GkeClusterArgs,
  gkeCrossFieldErrors,
  MirrorArgs,
  PlatformArgs,
} from 'sparkplane/components';
import { DomainError, type FieldIssue } from '../runtime/domain/errors';
import { describeIssues } from '../runtime/domain/validation';

export const PROJECT = 'sparkplane';

const tagValue = z.string().regex(/^[\p{L}\p{N}\s_.:/=+\-@]{1,256}$/u, {
  message: 'is not an AWS tag value (letters, digits, spaces, _.:/=+-@)',
});

export const StackTagsConfig = z.strictObject({
  environment: tagValue,
  owner: tagValue,
  costCenter: tagValue,
  /** @default {} */
  extra: z.record(z.string(), tagValue).default({}),
});

/** Every key of the stack config, with its schema and whether its value is JSON (objects) or a plain string. */
const KEYS = {
  /** Where the cluster comes from. @default "aws" */
  cloud: { schema: z.enum(['aws', 'gcp', 'existing', 'fleet']).default('aws'), json: false },
  tags: { schema: StackTagsConfig, json: true },
  /** Required when cloud is "aws". */
  aws: { schema: AwsClusterArgs.optional(), json: true },
  /** Required when cloud is "gcp". */
  gcp: { schema: GkeClusterArgs.optional(), json: true },
  /** Required when cloud is "fleet": accounts x environments x regions, validated when expanded. */
  fleet: { schema: FleetArgs.optional(), json: true },
  /** Required when cloud is "existing". */
  existing: { schema: ExistingClusterArgs.optional(), json: true },
  /** kubeconfig of an existing cluster (set it with --secret). */
  kubeconfig: { schema: z.string().min(1).optional(), json: false },
  /** Required except for a fleet (whose platform arguments are in `fleet.platform`). */
  platform: { schema: PlatformArgs.optional(), json: true },
  /** Chart repository and image registry mirrors of everything installed (the cluster's and the platform's). @default upstream */
  mirrors: { schema: MirrorArgs.default({}), json: true },
} as const;

type Keys = typeof KEYS;
export type StackConfig = { [K in keyof Keys]: z.output<Keys[K]['schema']> };

function fail(issues: FieldIssue[]): never {
  throw new DomainError(
    'VALIDATION_FAILED',
    `invalid stack configuration: ${issues.map((i) => i.message).join('; ')}`,
    issues,
  );
}

function issue(key: string, message: string): FieldIssue {
  return { path: key, message: `${key}: ${message}` };
}

/**
 * Reads and validates the config. `config` maps "sparkplane:<key>" to the string the engine passes
 * (objects JSON-encoded), i.e. `pulumi.runtime.allConfig()`.
 */
export function readStackConfig(config: Record<string, string>): StackConfig {
  const issues: FieldIssue[] = [];
  const out: Record<string, unknown> = {};
  for (const fullKey of Object.keys(config)) {
    const [namespace, key] = fullKey.split(':');
    if (namespace === PROJECT && !(key! in KEYS)) {
      issues.push(
        issue(
          fullKey,
          `unknown config key; expected one of ${Object.keys(KEYS)
            .map((k) => `${PROJECT}:${k}`)
            .join(', ')}`,
        ),
      );
    }
  }
  for (const [key, { schema, json }] of Object.entries(KEYS)) {
    const fullKey = `${PROJECT}:${key}`;
    const raw = config[fullKey];
    let value: unknown = raw;
    if (json && raw !== undefined) {
      try {
        value = JSON.parse(raw);
      } catch {
        issues.push(issue(fullKey, `${JSON.stringify(raw)} is not an object; expected YAML/JSON object values`));
        continue;
      }
    }
    const result = (schema as z.ZodType).safeParse(value);
    if (result.success) out[key] = result.data;
    else
      issues.push(
        ...describeIssues(result.error, value).map((i) => {
          const path = i.path === '(body)' ? fullKey : `${fullKey}.${i.path}`;
          return { path, message: `${path}${i.message.slice(i.path.length)}` };
        }),
      );
  }
  if (issues.length > 0) fail(issues);
  const parsed = out as StackConfig;
  if (parsed.cloud === 'aws') {
    if (!parsed.aws)
      fail([
        issue(
          `${PROJECT}:aws`,
          'is required when sparkplane:cloud is "aws": expected an object with at least "region"',
        ),
      ]);
    const errors = crossFieldErrors(parsed.aws);
    if (errors.length > 0) fail(errors.map((e) => ({ path: `${PROJECT}:aws`, message: `${PROJECT}:aws.${e}` })));
  } else if (parsed.cloud === 'gcp') {
    if (!parsed.gcp)
      fail([
        issue(
          `${PROJECT}:gcp`,
          'is required when sparkplane:cloud is "gcp": expected an object with at least "project" and "location"',
        ),
      ]);
    const errors = gkeCrossFieldErrors(parsed.gcp);
    if (errors.length > 0) fail(errors.map((e) => ({ path: `${PROJECT}:gcp`, message: `${PROJECT}:gcp.${e}` })));
  } else if (parsed.cloud === 'fleet') {
    if (!parsed.fleet)
      fail([
        issue(
          `${PROJECT}:fleet`,
          'is required when sparkplane:cloud is "fleet": expected { accounts, entries, platform, tags, controlPlane }',
        ),
      ]);
    return parsed;
  } else {
    if (!parsed.existing)
      fail([
        issue(
          `${PROJECT}:existing`,
          'is required when sparkplane:cloud is "existing": expected { clusterName, objectStorageUrl }',
        ),
      ]);
    if (!parsed.kubeconfig)
      fail([
        issue(
          `${PROJECT}:kubeconfig`,
          'is required when sparkplane:cloud is "existing": set it with `pulumi config set --secret kubeconfig "$(cat kubeconfig)"`',
        ),
      ]);
  }
  if (!parsed.platform)
    fail([issue(`${PROJECT}:platform`, 'is required: expected an object with at least "runtimeImage"')]);
  return parsed;
}
