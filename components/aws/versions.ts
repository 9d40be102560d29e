/**
 * Pinned versions. Upgrades are deliberate: change a constant here, read the upstream upgrade notes
 * referenced beside it, and review the snapshot diff.
 */

/** EKS Kubernetes version; standard support (not extended) keeps the control plane at the base price. */
export const KUBERNETES_VERSION = '1.33';

/**
 * Karpenter Helm chart (oci://public.ecr.aws/karpenter/karpenter). The 1.14 line matches the CRDs
 * in ../shared/schemas/karpenter. Its CRDs come from the separate `karpenter-crd` chart of the same
 * version, because Helm never upgrades the CRDs in a chart's crds/ folder
 * (https://karpenter.sh/docs/upgrading/upgrade-guide/#crd-upgrades).
 */
export const KARPENTER_CHART_VERSION = '1.14.0';
export const KARPENTER_CHART_REPOSITORY = 'oci://public.ecr.aws/karpenter';

/** PostgreSQL major version of the managed database (RDS). */
export const POSTGRES_ENGINE_VERSION = '16';
