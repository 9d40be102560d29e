/** Pinned versions of what the platform installs; upgrades are deliberate and reviewed as snapshot diffs. */

/**
 * kubeflow spark-operator Helm chart, 2.5 line (matching the CRDs in ../shared/schemas/spark-operator).
 * Helm installs the chart's crds/ on first install only: before upgrading the chart, apply the new
 * CRDs from its crds/ folder (https://www.kubeflow.org/docs/components/spark-operator/getting-started/).
 */
export const SPARK_OPERATOR_CHART_VERSION = '2.5.0';
export const SPARK_OPERATOR_CHART_REPOSITORY = 'https://kubeflow.github.io/spark-operator';

/** PostgreSQL image of the in-cluster (dev) database. */
export const POSTGRES_IMAGE = 'postgres:16.10-alpine';

/** Spark History Server image: must contain hadoop-aws (s3a) or the GCS connector for the event-log bucket. */
export const HISTORY_SERVER_IMAGE = 'apache/spark:4.0.1-scala2.13-java17-python3-ubuntu';
