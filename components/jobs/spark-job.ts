/**
 * A job as code: the `SparkJob` object the runtime reconciles into its job (and whose status
 * reports the job's last and next run). Needs the SparkJob CRD, which SparkPlatform installs.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { DEFAULT_SPARK_IDENTITY } from '../cluster/spark-identity';
import { type JobSpecInput, sparkJobManifest } from './spark-job-manifests';

export interface SparkJobArgs {
  /** The runtime's job spec (runtime/domain/resources.ts JobSpec): id, clusterId, config, schedule, tuning. */
  spec: JobSpecInput;
  /** Namespace the runtime follows SparkJobs in (its own). @default "sparkplane" */
  namespace?: string;
  /** The cluster's Kubernetes provider. */
  provider: k8s.Provider;
}

export class SparkJob extends pulumi.ComponentResource {
  /** The job's id in the runtime. */
  readonly jobId: string;

  constructor(name: string, args: SparkJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super('sparkplane:jobs:SparkJob', name, {}, opts);
    const manifest = sparkJobManifest(args.spec, args.namespace ?? DEFAULT_SPARK_IDENTITY.systemNamespace);
    new k8s.apiextensions.CustomResource(name, manifest as k8s.apiextensions.CustomResourceArgs, {
      parent: this,
      provider: args.provider,
    });
    this.jobId = args.spec.id;
    this.registerOutputs({ jobId: this.jobId });
  }
}
