/**
 * Jobs as code: the `SparkJob` custom resource (group sparkplane.io) whose spec is the runtime's
 * JobSpec, its status as the runtime writes it, and the port a reconciler follows them through.
 * The CRD is generated from these schemas (components/jobs/spark-job-crd.ts).
 */
import { z } from 'zod';
import { ResourceId, Timestamp } from './common';
import { JobSpec, LastRun } from './resources';

export const SPARK_JOB_GROUP = 'sparkplane.io';
export const SPARK_JOB_VERSION = 'v1alpha1';
export const SPARK_JOB_KIND = 'SparkJob';
export const SPARK_JOB_PLURAL = 'sparkjobs';
export const SPARK_JOB_API_VERSION = `${SPARK_JOB_GROUP}/${SPARK_JOB_VERSION}`;

/** A SparkJob's spec: the JobSpec, whose id defaults to the object's name. */
export const SparkJobSpec = JobSpec.extend({
  /** @default the object's metadata.name */
  id: ResourceId.optional(),
});
export type SparkJobSpecInput = z.input<typeof SparkJobSpec>;

export const SparkJobCondition = z.strictObject({
  /** "Ready": the spec is the runtime's job. */
  type: z.literal('Ready'),
  status: z.enum(['True', 'False']),
  /** "Applied", or the error code that refused the spec (VALIDATION_FAILED, NOT_FOUND, CONFLICT...). */
  reason: z.string().min(1),
  message: z.string(),
});

/** What the runtime reports on a SparkJob. */
export const SparkJobStatus = z.strictObject({
  /** The metadata.generation this status is about. */
  observedGeneration: z.number().int().min(0),
  /** The runtime's job (absent while the spec is refused before it names one). */
  jobId: ResourceId.optional(),
  /** The job's latest application, absent when it never ran. */
  lastRun: LastRun.pick({ appId: true, state: true, createdAt: true, endedAt: true }).optional(),
  /** The next instant of its schedule, when it has one that is enabled. */
  nextRunAt: Timestamp.optional(),
  conditions: z.array(SparkJobCondition),
});
export type SparkJobStatus = z.infer<typeof SparkJobStatus>;

/** A SparkJob as the API server holds it; spec and status as found, not trusted. */
export interface SparkJobObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; generation?: number; resourceVersion?: string };
  spec?: unknown;
  status?: unknown;
}

export interface SparkJobHandlers {
  /** Every object of a fresh list: the first, and each periodic resync. */
  onList(objects: SparkJobObject[]): void;
  onChange(object: SparkJobObject): void;
}

/** Where SparkJob objects live (a Kubernetes namespace), as a reconciler follows them. */
export interface SparkJobSource {
  /** Starts following; handlers are called until stop(). */
  start(handlers: SparkJobHandlers): void;
  /** Replaces the object's status (the status subresource: the spec is left alone). */
  writeStatus(object: SparkJobObject, status: SparkJobStatus): Promise<void>;
  stop(): Promise<void>;
}
