/**
 * A fleet: accounts (one cloud each) x environments x regions, with fleet defaults, per-account
 * defaults and per-entry overrides, expanded into one cluster plus platform per entry. The
 * expansion is pure; each entry's merged arguments are validated by the cluster component's own
 * schema, so a wrong value names its entry and key.
 */
import { z } from 'zod';
import { DomainError, type FieldIssue } from '../../runtime/domain/errors';
import { describeIssues } from '../../runtime/domain/validation';
import { AwsClusterArgs, crossFieldErrors } from '../aws/args';
import { GcpLocation, GkeClusterArgs, gkeCrossFieldErrors } from '../gcp/args';
import { PlatformArgs } from '../platform/args';
import { fleetClusterName } from './naming';

const shortName = z
  .string()
  .regex(/^[a-z][a-z0-9]{0,11}$/, { message: 'is not a short name (a letter, then up to 11 letters or digits)' });
const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, { message: 'is not an IAM role ARN' });
const awsAccountId = z.string().regex(/^\d{12}$/, { message: 'is not a 12-digit AWS account id' });
/** The account of an IAM ARN ("arn:aws:iam::<account>:role/..."). */
export const accountOfArn = (arn: string): string => arn.split(':')[4]!;
const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { message: 'is not an AWS region such as "eu-west-1"' });
/** Partial arguments, merged over the defaults and then validated by the component's schema. */
const partialArgs = z.record(z.string(), z.unknown());

export const FleetAccount = z.discriminatedUnion('cloud', [
  z.strictObject({
    cloud: z.literal('aws'),
    /** Role Pulumi assumes in this account. @default the caller's credentials */
    assumeRoleArn: roleArn.optional(),
    /**
     * The AWS account id: a control plane in another account reads these clusters' buckets through
     * their bucket and key policies. @default the account of assumeRoleArn, else the caller's account
     */
    accountId: awsAccountId.optional(),
    /** Defaults of this account's clusters (AwsClusterArgs). @default {} */
    defaults: partialArgs.default({}),
  }),
  z.strictObject({
    cloud: z.literal('gcp'),
    /** GCP project of this account's clusters. */
    project: z.string().min(1),
    /** Service account Pulumi impersonates in this project. @default the caller's credentials */
    impersonateServiceAccount: z.string().email().optional(),
    /** Defaults of this account's clusters (GkeClusterArgs, without project and location). @default {} */
    defaults: partialArgs.default({}),
  }),
]);

export const FleetEntry = z.strictObject({
  account: shortName,
  environment: shortName,
  /** One cluster per region. */
  regions: z.array(z.string().min(1)).min(1),
  /** Overrides of the cluster arguments of these entries. @default {} */
  overrides: partialArgs.default({}),
  /** Overrides of the platform arguments. @default {} */
  platform: partialArgs.default({}),
  /** Run a runtime of its own on these clusters too (they register with the control plane anyway). @default false */
  ownRuntime: z.boolean().default(false),
  /**
   * Instance prices of these clusters' regions, for cost: entries of the runtime's price table
   * (`instances` of SPARKPLANE_PRICES_FILE), checked by the runtime's own schema when it starts. @default []
   */
  prices: z.array(z.record(z.string(), z.unknown())).default([]),
});

export const FleetArgs = z.strictObject({
  accounts: z.record(shortName, FleetAccount),
  entries: z.array(FleetEntry).min(1),
  /** Platform arguments of every cluster (PlatformArgs). */
  platform: partialArgs,
  /** Tags of every resource; the environment tag comes from each entry. */
  tags: z.strictObject({
    owner: z.string().min(1),
    costCenter: z.string().min(1),
    /** @default {} */
    extra: z.record(z.string(), z.string()).default({}),
  }),
  controlPlane: z.strictObject({
    /** The name of the fleet's cluster the control plane runs in. */
    cluster: z.string().min(1),
    /**
     * IAM role of the control plane's runtime when it runs on GKE, given an EKS access entry in every
     * EKS cluster. @default on EKS, the host's runtime role (then this is refused); on GKE, required with EKS clusters
     */
    awsRoleArn: roleArn.optional(),
    /**
     * IAM principal of the control plane's runtime on GCP when it runs on EKS (e.g. the principalSet:// of a
     * workload identity pool trusting its role). @default on GKE, the host runtime's Workload Identity
     * principal (then this is refused); on EKS, required with GKE clusters
     */
    gcpPrincipal: z
      .string()
      .regex(/^(principal|principalSet|serviceAccount):.+$/, {
        message: 'is not an IAM principal such as "principal://..."',
      })
      .optional(),
    /**
     * On EKS: federate the control plane runtime's role into GCP through a workload identity pool
     * with an AWS provider in this GCP account's project, instead of a given gcpPrincipal; the runtime
     * gets the external_account credential configuration. @default none
     */
    gcpFederation: z
      .strictObject({
        /** The fleet's GCP account whose project holds the pool. */
        account: shortName,
        /** @default "sparkplane-aws" */
        poolId: z.string().optional(),
        /** @default "control-plane" */
        providerId: z.string().optional(),
      })
      .optional(),
  }),
});
export type FleetArgsInput = z.input<typeof FleetArgs>;
export type FleetArgs = z.output<typeof FleetArgs>;

export type ExpandedCluster =
  | {
      cloud: 'aws';
      args: AwsClusterArgs;
      assumeRoleArn?: string;
      /** Its AWS account, when known (given, or that of assumeRoleArn); else the caller's. */
      accountId?: string;
    }
  | { cloud: 'gcp'; args: GkeClusterArgs; impersonateServiceAccount?: string };

/** One entry of the fleet, for one region: a cluster and its platform. */
export interface FleetMember {
  name: string;
  account: string;
  environment: string;
  region: string;
  cluster: ExpandedCluster;
  platform: PlatformArgs;
  ownRuntime: boolean;
  prices: Record<string, unknown>[];
}

export interface ExpandedFleet {
  members: FleetMember[];
  controlPlane: FleetArgs['controlPlane'];
  tags: FleetArgs['tags'];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; anything else (arrays too) is replaced by the later value. */
export function deepMerge(...layers: unknown[]): unknown {
  return layers.reduce((acc: unknown, layer) => {
    if (layer === undefined) return acc;
    if (!isRecord(acc) || !isRecord(layer)) return layer;
    const out: Record<string, unknown> = { ...acc };
    for (const [key, value] of Object.entries(layer)) out[key] = deepMerge(acc[key], value);
    return out;
  }, undefined);
}

function parseAt<S extends z.ZodType>(schema: S, value: unknown, path: string, issues: FieldIssue[]) {
  const result = schema.safeParse(value);
  if (result.success) return result.data as z.output<S>;
  for (const issue of describeIssues(result.error, value)) {
    const full = issue.path === '(body)' ? path : `${path}.${issue.path}`;
    issues.push({ path: full, message: `${full}${issue.message.slice(issue.path.length)}` });
  }
  return undefined;
}

/** The clusters of a fleet, each with validated arguments; every problem names its entry and key. */
export function expandFleet(input: unknown): ExpandedFleet {
  const issues: FieldIssue[] = [];
  const fleet = parseAt(FleetArgs, input, 'fleet', issues);
  if (!fleet) throw new DomainError('VALIDATION_FAILED', issues.map((i) => i.message).join('; '), issues);
  for (const [id, account] of Object.entries(fleet.accounts)) {
    if (account.cloud !== 'aws' || !account.accountId || !account.assumeRoleArn) continue;
    const ofRole = accountOfArn(account.assumeRoleArn);
    if (ofRole !== account.accountId)
      issues.push({
        path: `fleet.accounts.${id}.accountId`,
        message: `fleet.accounts.${id}.accountId: "${account.accountId}" is not the account of its assumeRoleArn; expected "${ofRole}"`,
      });
  }
  const members: FleetMember[] = [];
  fleet.entries.forEach((entry, index) => {
    const at = `fleet.entries[${index}]`;
    const account = fleet.accounts[entry.account];
    if (!account) {
      issues.push({
        path: `${at}.account`,
        message: `${at}.account: "${entry.account}" is not an account of the fleet; expected one of ${Object.keys(fleet.accounts).join(', ')}`,
      });
      return;
    }
    entry.regions.forEach((region, r) => {
      const name = fleetClusterName({ account: entry.account, environment: entry.environment, region });
      const regionAt = `${at}.regions[${r}]`;
      const platform = parseAt(PlatformArgs, deepMerge(fleet.platform, entry.platform), `${at}.platform`, issues);
      let cluster: ExpandedCluster | undefined;
      if (account.cloud === 'aws') {
        if (!awsRegion.safeParse(region).success) {
          issues.push({ path: regionAt, message: `${regionAt}: "${region}" is not an AWS region such as "eu-west-1"` });
          return;
        }
        const merged = deepMerge(account.defaults, entry.overrides, { region, clusterName: name });
        const args = parseAt(AwsClusterArgs, merged, `${at}.overrides`, issues);
        if (args) {
          for (const e of crossFieldErrors(args)) issues.push({ path: at, message: `${at}.overrides.${e}` });
          const accountId = account.accountId ?? (account.assumeRoleArn && accountOfArn(account.assumeRoleArn));
          cluster = {
            cloud: 'aws',
            args,
            ...(account.assumeRoleArn ? { assumeRoleArn: account.assumeRoleArn } : {}),
            ...(accountId ? { accountId } : {}),
          };
        }
      } else {
        if (!GcpLocation.safeParse(region).success) {
          issues.push({
            path: regionAt,
            message: `${regionAt}: "${region}" is not a GCP region or zone such as "europe-west1"`,
          });
          return;
        }
        const merged = deepMerge(account.defaults, entry.overrides, {
          project: account.project,
          location: region,
          clusterName: name,
        });
        const args = parseAt(GkeClusterArgs, merged, `${at}.overrides`, issues);
        if (args) {
          for (const e of gkeCrossFieldErrors(args)) issues.push({ path: at, message: `${at}.overrides.${e}` });
          cluster = {
            cloud: 'gcp',
            args,
            ...(account.impersonateServiceAccount
              ? { impersonateServiceAccount: account.impersonateServiceAccount }
              : {}),
          };
        }
      }
      if (cluster && platform)
        members.push({
          name,
          account: entry.account,
          environment: entry.environment,
          region,
          cluster,
          platform,
          ownRuntime: entry.ownRuntime,
          prices: entry.prices,
        });
    });
  });
  const seen = new Map<string, number>();
  for (const m of members) seen.set(m.name, (seen.get(m.name) ?? 0) + 1);
  for (const [name, count] of seen)
    if (count > 1)
      issues.push({
        path: 'fleet.entries',
        message: `fleet.entries: cluster "${name}" is declared ${count} times; expected each account, environment and region once`,
      });
  if (issues.length === 0 && !members.some((m) => m.name === fleet.controlPlane.cluster))
    issues.push({
      path: 'fleet.controlPlane.cluster',
      message: `fleet.controlPlane.cluster: "${fleet.controlPlane.cluster}" is not a cluster of the fleet; expected one of ${members.map((m) => m.name).join(', ')}`,
    });
  const federation = fleet.controlPlane.gcpFederation;
  if (
    federation &&
    fleet.accounts[federation.account]?.cloud === 'gcp' &&
    !members.some((m) => m.account === federation.account)
  )
    issues.push({
      path: 'fleet.controlPlane.gcpFederation.account',
      message: `fleet.controlPlane.gcpFederation.account: "${federation.account}" has no cluster in the fleet; expected a GCP account with clusters, whose project holds the pool`,
    });
  if (federation && fleet.accounts[federation.account]?.cloud !== 'gcp')
    issues.push({
      path: 'fleet.controlPlane.gcpFederation.account',
      message: `fleet.controlPlane.gcpFederation.account: "${federation.account}" is not a GCP account of the fleet; expected one of ${Object.entries(
        fleet.accounts,
      )
        .filter(([, a]) => a.cloud === 'gcp')
        .map(([id]) => id)
        .join(', ')}`,
    });
  if (issues.length > 0) throw new DomainError('VALIDATION_FAILED', issues.map((i) => i.message).join('; '), issues);
  return { members, controlPlane: fleet.controlPlane, tags: fleet.tags };
}

/**
 * The AWS clusters whose event-log bucket the control plane's runtime reads from another account
 * (their bucket and key policies must name its role): those of an account other than the host's
 * (runtime on EKS) or than its awsRoleArn's (runtime on GKE). An unknown account is the caller's.
 */
export function crossAccountReaders(fleet: ExpandedFleet): string[] {
  const host = fleet.members.find((m) => m.name === fleet.controlPlane.cluster)!;
  const own =
    host.cluster.cloud === 'aws'
      ? host.cluster.accountId
      : fleet.controlPlane.awsRoleArn && accountOfArn(fleet.controlPlane.awsRoleArn);
  return fleet.members
    .filter((m) => m !== host && m.cluster.cloud === 'aws' && m.cluster.accountId !== own)
    .map((m) => m.name);
}
