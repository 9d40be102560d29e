/**
 * Direct Workload Identity Federation: IAM grants to Kubernetes service accounts by principal
 * (no Google service account, no annotation). Pure: tested without Pulumi.
 */
import type { SparkIdentityNames } from '../cluster/spark-identity';

/** The IAM principal of a Kubernetes service account of a cluster of `project`. */
export function workloadPrincipal(projectNumber: string, project: string, namespace: string, serviceAccount: string) {
  return (
    `principal://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/` +
    `${project}.svc.id.goog/subject/ns/${namespace}/sa/${serviceAccount}`
  );
}

export interface BucketGrant {
  /** Stable suffix of the logical name. */
  suffix: string;
  namespace: string;
  serviceAccount: string;
  role: 'roles/storage.objectUser' | 'roles/storage.objectViewer';
}

/** Who reads and writes the event-log bucket: Spark pods write, the runtime and History Server read. */
export function eventLogBucketGrants(identity: Required<SparkIdentityNames>): BucketGrant[] {
  return [
    {
      suffix: 'driver',
      namespace: identity.namespace,
      serviceAccount: identity.driverServiceAccount,
      role: 'roles/storage.objectUser',
    },
    {
      suffix: 'executor',
      namespace: identity.namespace,
      serviceAccount: identity.executorServiceAccount,
      role: 'roles/storage.objectUser',
    },
    {
      suffix: 'runtime',
      namespace: identity.systemNamespace,
      serviceAccount: identity.runtimeServiceAccount,
      role: 'roles/storage.objectViewer',
    },
    {
      suffix: 'history',
      namespace: identity.historyNamespace,
      serviceAccount: identity.historyServiceAccount,
      role: 'roles/storage.objectViewer',
    },
  ];
}
