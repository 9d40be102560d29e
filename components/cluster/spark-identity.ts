/**
 * Namespaces and service accounts of the platform's workloads, agreed between the cloud components
 * (which bind cloud identities to them) and the platform (which creates them). Every name is an
 * argument with a documented default.
 */
import { z } from 'zod';

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: 'is not a Kubernetes name such as "spark-apps"' });

export const SparkIdentityArgs = z.strictObject({
  /** Namespace of the SparkApplications (drivers and executors). @default "spark-apps" */
  namespace: dnsLabel.default('spark-apps'),
  /** @default "spark-driver" */
  driverServiceAccount: dnsLabel.default('spark-driver'),
  /** @default "spark-executor" */
  executorServiceAccount: dnsLabel.default('spark-executor'),
  /** Namespace of the sparkplane runtime, its database and the Spark History Server. @default "sparkplane" */
  systemNamespace: dnsLabel.default('sparkplane'),
  /** Service account of the sparkplane runtime (reads event logs for metrics, cost and tuning). @default "sparkplane" */
  runtimeServiceAccount: dnsLabel.default('sparkplane'),
  /** Namespace of the Spark History Server. @default the system namespace */
  historyNamespace: dnsLabel.optional(),
  /** @default "spark-history-server" */
  historyServiceAccount: dnsLabel.default('spark-history-server'),
});
export type SparkIdentityArgsInput = z.input<typeof SparkIdentityArgs>;

/** The identity names, defaults filled in (without the annotations, which the cloud component adds). */
export interface SparkIdentityNames {
  namespace: string;
  driverServiceAccount: string;
  executorServiceAccount: string;
  historyNamespace: string;
  historyServiceAccount: string;
  /** Where the runtime runs; optional for handles built before it was added: "sparkplane". */
  systemNamespace?: string;
  /** The runtime's service account; optional for handles built before it was added: "sparkplane". */
  runtimeServiceAccount?: string;
}

/** Fills the defaults; the History Server lives in the system namespace unless told otherwise. */
export function sparkIdentityNames(input: SparkIdentityArgsInput = {}): Required<SparkIdentityNames> {
  const parsed = SparkIdentityArgs.parse(input);
  return { ...parsed, historyNamespace: parsed.historyNamespace ?? parsed.systemNamespace };
}

/** The defaults of the runtime's kubernetes back-end (runtime/adapters/k8s/cluster-settings.ts). */
export const DEFAULT_SPARK_IDENTITY = sparkIdentityNames();

/** Namespace of the sparkplane runtime by default. */
export const SYSTEM_NAMESPACE = DEFAULT_SPARK_IDENTITY.systemNamespace;
/** Namespace of spark-operator by default. */
export const OPERATOR_NAMESPACE = 'spark-operator';
