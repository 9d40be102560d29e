/**
 * Pinned versions. Upgrades are deliberate: change a constant here, read the upstream upgrade notes
 * referenced beside it, and review the snapshot diff.
 */

/**
 * EKS Kubernetes version; standard support (not extended) keeps the control plane at the base price.
 * 1.35 (EKS release January 2026) is in standard support until about March 2027; 1.33 and 1.34 left
 * it in July and December 2026 (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html).
 */
export const KUBERNETES_VERSION = '1.35';

/**
 * Karpenter Helm chart (oci://public.ecr.aws/karpenter/karpenter). The 1.14 line matches the CRDs
 * in ../shared/schemas/karpenter. Its CRDs come from the separate `karpenter-crd` chart of the same
 * version, because Helm never upgrades the CRDs in a chart's crds/ folder
 * (https://karpenter.sh/docs/upgrading/upgrade-guide/#crd-upgrades).
 */
export const KARPENTER_CHART_VERSION = '1.14.0';
export const KARPENTER_CHART_REPOSITORY = 'oci://public.ecr.aws/karpenter';
/** The controller image of the chart (its tag and digest come from the chart). */
export const KARPENTER_CONTROLLER_IMAGE = 'public.ecr.aws/karpenter/controller';

/** PostgreSQL major version of the managed database (RDS). */
export const POSTGRES_ENGINE_VERSION = '16';

/**
 * AWS Load Balancer Controller Helm chart (https://aws.github.io/eks-charts), installed when an ALB
 * Ingress is asked for. Its IngressClassParams/TargetGroupBinding CRDs are in the chart's crds/.
 */
export const LOAD_BALANCER_CONTROLLER_CHART_VERSION = '1.14.0';
export const LOAD_BALANCER_CONTROLLER_CHART_REPOSITORY = 'https://aws.github.io/eks-charts';
/** The controller image of the chart (its tag comes from the chart). */
export const LOAD_BALANCER_CONTROLLER_IMAGE = 'public.ecr.aws/eks/aws-load-balancer-controller';
