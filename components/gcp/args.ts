/**
 * Arguments of the GKE cluster component, validated once by a zod schema (also used by the stack
 * config and the fleet, so a wrong value names its key). Every value has a documented default.
 */
import { z } from 'zod';
import { SparkIdentityArgs } from '../cluster/spark-identity';
import { parseCidr } from '../lib/subnets';
import { GKE_RELEASE_CHANNEL, SPARK_MACHINE_FAMILIES } from './versions';

const cidr = z.string().refine(
  (value) => {
    try {
      parseCidr(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not an IPv4 CIDR such as "10.0.0.0/16"' },
);
const gcpName = z
  .string()
  .regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, { message: 'is not a GCP resource name such as "analytics-prod"' });
const machineFamily = z
  .string()
  .regex(/^[a-z][a-z0-9]*$/, { message: 'is not a Compute Engine machine family such as "n2d"' });

/** A region ("europe-west1", regional cluster) or a zone ("europe-west1-b", zonal cluster). */
export const GcpLocation = z
  .string()
  .regex(/^[a-z]+-[a-z]+[0-9](-[a-z])?$/, { message: 'is not a GCP region or zone such as "europe-west1"' });

export const ComputeClassLimits = z.strictObject({
  /** Largest number of vCPUs across all nodes the autoscaler creates. */
  cpu: z.number().int().positive(),
  /** Largest memory across all nodes the autoscaler creates, GiB. */
  memoryGiB: z.number().int().positive(),
});

export const GkeClusterArgs = z.strictObject({
  /** GCP project id, e.g. "acme-analytics-prod". */
  project: z
    .string()
    .regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, { message: 'is not a GCP project id such as "acme-analytics"' }),
  /** Region (regional control plane, nodes in three zones) or zone (zonal, cheaper). */
  location: GcpLocation,
  /** Cluster name, also the runtime's cluster id. @default the component's name */
  clusterName: gcpName.optional(),
  /** Release channel, or a pinned version (`kubernetesVersion`) with the channel UNSPECIFIED. @default "REGULAR" */
  releaseChannel: z.enum(['RAPID', 'REGULAR', 'STABLE', 'EXTENDED', 'UNSPECIFIED']).default(GKE_RELEASE_CHANNEL),
  /** Pinned control-plane version, e.g. "1.33"; needs releaseChannel UNSPECIFIED. @default the channel's */
  kubernetesVersion: z
    .string()
    .regex(/^1\.\d{2}(\.\d+-gke\.\d+)?$/, { message: 'is not a GKE version such as "1.33" or "1.33.5-gke.1308000"' })
    .optional(),
  /** The network: a new VPC (CIDRs) or an existing one (names). @default a new VPC, 10.10.0.0/20 */
  network: z
    .union([
      z.strictObject({
        /** @default "10.10.0.0/20" */
        nodesCidr: cidr.default('10.10.0.0/20'),
        /** @default "10.64.0.0/14" */
        podsCidr: cidr.default('10.64.0.0/14'),
        /** @default "10.68.0.0/20" */
        servicesCidr: cidr.default('10.68.0.0/20'),
      }),
      z.strictObject({
        network: z.string().min(1),
        subnetwork: z.string().min(1),
        podsRangeName: z.string().min(1),
        servicesRangeName: z.string().min(1),
      }),
    ])
    .default({ nodesCidr: '10.10.0.0/20', podsCidr: '10.64.0.0/14', servicesCidr: '10.68.0.0/20' }),
  /** /28 of the control plane's private endpoint peering. @default "172.16.0.0/28" */
  masterCidr: cidr.default('172.16.0.0/28'),
  /** Also serve the API on a public endpoint, to `authorizedNetworks` only. @default false */
  publicEndpoint: z.boolean().default(false),
  /** CIDRs allowed to reach the API endpoint. @default [] */
  authorizedNetworks: z.array(cidr).default([]),
  systemNodes: z
    .strictObject({
      /** @default "e2-standard-4" */
      machineType: z
        .string()
        .regex(/^[a-z0-9]+-[a-z0-9-]+$/)
        .default('e2-standard-4'),
      /** Nodes per zone. @default 1 */
      minNodes: z.number().int().min(1).default(1),
      /** @default 3 */
      maxNodes: z.number().int().min(1).default(3),
    })
    .default({ machineType: 'e2-standard-4', minNodes: 1, maxNodes: 3 }),
  /** Spark capacity: the ComputeClasses' machine families and the autoscaler's limits. */
  spark: z
    .strictObject({
      /** Machine families, most preferred first. @default ["n2d", "n2", "e2"] */
      machineFamilies: z
        .array(machineFamily)
        .min(1)
        .default([...SPARK_MACHINE_FAMILIES]),
      /** Smallest node, vCPUs (fewer, larger nodes pack executors better). @default 4 */
      minCores: z.number().int().min(2).default(4),
      /** Total capacity the autoscaler may create. @default { cpu: 1000, memoryGiB: 4000 } */
      limits: ComputeClassLimits.default({ cpu: 1000, memoryGiB: 4000 }),
      /** Boot disk of Spark nodes, GiB. @default 100 */
      diskSizeGiB: z.number().int().min(20).default(100),
    })
    .default({
      machineFamilies: [...SPARK_MACHINE_FAMILIES],
      minCores: 4,
      limits: { cpu: 1000, memoryGiB: 4000 },
      diskSizeGiB: 100,
    }),
  eventLogs: z
    .strictObject({
      /** Bucket location. @default the cluster's region */
      location: z.string().min(1).optional(),
      /** Days event logs are kept. @default 90 */
      retentionDays: z.number().int().positive().default(90),
      /** Customer-managed KMS key (created) or Google-managed encryption. @default "cmek" */
      encryption: z.enum(['cmek', 'google-managed']).default('cmek'),
      /** Let `pulumi destroy` delete a non-empty bucket. @default false */
      forceDestroy: z.boolean().default(false),
    })
    .default({ retentionDays: 90, encryption: 'cmek', forceDestroy: false }),
  /** Namespaces and service accounts bound to the bucket by Workload Identity. @default the defaults */
  identity: SparkIdentityArgs.default(SparkIdentityArgs.parse({})),
  /** Refuse `pulumi destroy` of the cluster. @default true */
  deletionProtection: z.boolean().default(true),
});

export type GkeClusterArgsInput = z.input<typeof GkeClusterArgs>;
export type GkeClusterArgs = z.output<typeof GkeClusterArgs>;

/** The region of a location: "europe-west1-b" -> "europe-west1". */
export function regionOf(location: string): string {
  return /-[a-z]$/.test(location) ? location.slice(0, -2) : location;
}

/** Rules across fields, as messages naming the field, the value and the expectation. */
export function gkeCrossFieldErrors(args: GkeClusterArgs): string[] {
  const errors: string[] = [];
  if (args.kubernetesVersion && args.releaseChannel !== 'UNSPECIFIED')
    errors.push(
      `kubernetesVersion: "${args.kubernetesVersion}" is pinned while releaseChannel is "${args.releaseChannel}"; ` +
        'expected releaseChannel "UNSPECIFIED" with a pinned version (a channel upgrades past it)',
    );
  if (args.publicEndpoint && args.authorizedNetworks.length === 0)
    errors.push(
      'authorizedNetworks: [] is empty; expected the CIDRs allowed to reach the public endpoint (an open endpoint is refused)',
    );
  if (args.authorizedNetworks.includes('0.0.0.0/0'))
    errors.push('authorizedNetworks: "0.0.0.0/0" opens the API to the internet; expected specific CIDRs');
  if (!args.masterCidr.endsWith('/28'))
    errors.push(`masterCidr: "${args.masterCidr}" is not a /28; expected a /28 such as "172.16.0.0/28"`);
  if (args.systemNodes.minNodes > args.systemNodes.maxNodes)
    errors.push(
      `systemNodes.minNodes: ${args.systemNodes.minNodes} is larger than maxNodes ${args.systemNodes.maxNodes}`,
    );
  return errors;
}
