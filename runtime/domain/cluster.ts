/**
 * Clusters: where applications run. A cluster names its back-end kind and that back-end's
 * settings; the kinds are plug-ins registered with the runtime (runtime/main), so the domain
 * knows a kind only as a name.
 */
import { z } from 'zod';
import { ResourceId, Timestamp } from './common';

export const BackendKind = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, { message: 'is not a back-end kind such as "local" or "kubernetes"' })
  .meta({ description: 'A back-end kind registered with the runtime: "local" (spark-submit) or "kubernetes".' });
export type BackendKind = z.infer<typeof BackendKind>;

/** What a probe of the cluster finds. */
const ClusterHealthState = z.enum(['AVAILABLE', 'PROGRESSING', 'DEGRADED', 'UNREACHABLE']);

export const ClusterHealth = z.strictObject({
  state: ClusterHealthState,
  /** Last time the cluster answered. */
  lastHeartbeat: Timestamp.optional(),
  kubernetesVersion: z.string().optional(),
  operatorVersion: z.string().optional(),
  /** The cluster's nodes as last probed: all of them and the Ready ones. Absent where the back-end cannot count them (local, or no leave to list nodes). */
  nodes: z.strictObject({ total: z.number().int().min(0), ready: z.number().int().min(0) }).optional(),
  /** Why the state is not AVAILABLE. */
  reason: z.string().optional(),
});
export type ClusterHealth = z.infer<typeof ClusterHealth>;

/** As probed, or UNAVAILABLE when the runtime has no back-end for the cluster. */
export const ClusterState = z.enum([...ClusterHealthState.options, 'UNAVAILABLE']);
export type ClusterState = z.infer<typeof ClusterState>;

/** A cluster as declared: in the clusters file or created through the API. */
export const ClusterSpec = z
  .strictObject({
    id: ResourceId,
    /** How it is shown on the dashboards. @default the id */
    displayName: z.string().min(1).max(100).optional(),
    /** The hosted Ocean cluster this one replaces, for clients that still name it (Ocean API). */
    oceanClusterId: z.string().min(1).optional(),
    /** Where it runs (a cloud region such as "eu-west-1"), shown on the dashboards. @default none */
    region: z.string().min(1).max(64).optional(),
    backend: BackendKind,
    /** The back-end's settings, checked against the kind's own settings schema. @default {} */
    settings: z.record(z.string(), z.unknown()).default({}),
  })
  .meta({
    id: 'ClusterSpec',
    examples: [{ id: 'prod', backend: 'kubernetes', settings: { namespace: 'spark-apps' } }],
  });
export type ClusterSpec = z.infer<typeof ClusterSpec>;

export const StoredCluster = ClusterSpec.extend({ createdAt: Timestamp, updatedAt: Timestamp });
export type StoredCluster = z.infer<typeof StoredCluster>;

/** Where clusters are declared: through the API, or in SPARKPLANE_CLUSTERS_FILE (then the API may not change them). */
const ClusterSource = z.enum(['api', 'file']);

/** A cluster as both APIs serve it: its declaration, where it is managed, and its last probed health. */
export const Cluster = StoredCluster.extend({
  ...ClusterHealth.shape,
  state: ClusterState,
  managedBy: ClusterSource,
  /** Applications of the cluster in state RUNNING now. */
  runningApplications: z.number().int().min(0),
}).meta({ id: 'Cluster' });
export type Cluster = z.infer<typeof Cluster>;
