/**
 * What a cluster's settings declare about admission: its capacity and its quotas of concurrent
 * applications, cores and memory, for the cluster and per team. Every back-end kind accepts these
 * fields in its settings (spread into its settings schema), so they are declared the same way for
 * all; the planner (runtime/scheduling) decides with them.
 */
import { z } from 'zod';
import { MemoryQuantity } from './config';

/** Cores and memory: of a pod, an application, a cluster or a quota. */
export interface Resources {
  cores: number;
  memoryMiB: number;
}

/** What an application needs to start: its driver and its initial executors, all at once (gang). */
export interface Demand {
  driver: Resources;
  executors: { count: number; each: Resources };
}

/** Caps on what runs at once. Each absent field is not limited. */
export const ResourceLimits = z
  .strictObject({
    /** Applications running at once. @default unlimited */
    applications: z.number().int().min(1).optional(),
    /** Spark cores of the running applications' drivers and executors. @default unlimited */
    cores: z.number().positive().optional(),
    /** Memory of the running applications' drivers and executors, overhead included. @default unlimited */
    memory: MemoryQuantity.optional(),
  })
  .meta({ id: 'ResourceLimits' });
export type ResourceLimits = z.infer<typeof ResourceLimits>;

/** What the cluster can hold at once: the machine locally, the autoscaler's limits on Kubernetes. */
export const ClusterCapacity = z
  .strictObject({ cores: z.number().positive(), memory: MemoryQuantity })
  .meta({ id: 'ClusterCapacity' });
export type ClusterCapacity = z.infer<typeof ClusterCapacity>;

export const Quotas = z
  .strictObject({
    /** The whole cluster's. @default none */
    cluster: ResourceLimits.optional(),
    /** Per team, by team name (the application's `team` label, else the name of the token that submitted it). @default none */
    teams: z.record(z.string().min(1), ResourceLimits).optional(),
    /** Each team not listed in `teams`. @default none */
    team: ResourceLimits.optional(),
  })
  .meta({ id: 'Quotas' });
export type Quotas = z.infer<typeof Quotas>;

/** The admission fields of every back-end kind's settings. */
export const admissionSettingsShape = {
  /** @default the back-end's own: the machine's cores and memory locally, unlimited on Kubernetes */
  capacity: ClusterCapacity.optional(),
  /** @default none */
  quotas: Quotas.optional(),
};

/** The admission fields read from a cluster's settings (whatever its kind), the rest ignored. */
export const AdmissionSettings = z.looseObject(admissionSettingsShape);
export type AdmissionSettings = z.infer<typeof AdmissionSettings>;

/** The label that names an application's team for quotas and fair share. */
export const TEAM_LABEL = 'team';
