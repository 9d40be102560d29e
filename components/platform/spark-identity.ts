/** Namespaces and service accounts of Spark pods, agreed between the cloud components and the platform. */

/** Namespace of the sparkplane runtime, its database and the Spark History Server. */
export const SYSTEM_NAMESPACE = 'sparkplane';
/** Namespace of spark-operator. */
export const OPERATOR_NAMESPACE = 'spark-operator';

/** The defaults of the runtime's kubernetes back-end (runtime/adapters/k8s/cluster-settings.ts). */
export const DEFAULT_SPARK_IDENTITY = {
  namespace: 'spark-apps',
  driverServiceAccount: 'spark-driver',
  executorServiceAccount: 'spark-executor',
  historyNamespace: SYSTEM_NAMESPACE,
  historyServiceAccount: 'spark-history-server',
} as const;
