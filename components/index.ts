/**
 * The component library, imported by a platform team's own Pulumi program as
 * `import { AwsCluster, SparkPlatform } from 'sparkplane/components'`. `@pulumi/*` are peer
 * dependencies: the program's own versions are used.
 */
export type { AutoscalerKind, ClusterHandle, ManagedDatabase, NodePoolOffer, SparkIdentity } from './cluster/handle';
export {
  DEFAULT_SPARK_IDENTITY,
  OPERATOR_NAMESPACE,
  SparkIdentityArgs,
  type SparkIdentityArgsInput,
  type SparkIdentityNames,
  sparkIdentityNames,
  SYSTEM_NAMESPACE,
} from './cluster/spark-identity';
export { chartSource, MirrorArgs, mirroredImage } from './cluster/mirrors';
export {
  AssumeRoleArgs,
  AwsClusterArgs,
  type AwsClusterArgsInput,
  crossFieldErrors,
  DatabaseArgs,
  KarpenterArgs,
  NetworkArgs,
} from './aws/args';
export { AwsCluster, type AwsClusterComponentArgs, awsProviderArgs, validateAwsClusterArgs } from './aws/cluster';
export { KUBERNETES_VERSION } from './aws/versions';
export { ExistingCluster, ExistingClusterArgs, type ExistingClusterComponentArgs } from './existing/existing-cluster';
export { PlatformArgs, type PlatformArgsInput } from './platform/args';
export { ALB_CLASS } from './platform/ingress-manifests';
export { SparkPlatform, type SparkPlatformArgs, validatePlatformArgs } from './platform/platform';
export { resourceTags, type StackTags } from './lib/tags';
export { GcpLocation, GkeClusterArgs, type GkeClusterArgsInput, gkeCrossFieldErrors } from './gcp/args';
export { GkeCluster, type GkeClusterComponentArgs, validateGkeClusterArgs } from './gcp/cluster';
export { expandFleet, FleetArgs, type FleetArgsInput, type FleetMember } from './fleet/fleet';
export { Fleet, type FleetCluster, type FleetComponentArgs } from './fleet/fleet-component';
export { type JobSpecInput, sparkJobManifest, sparkJobManifests } from './jobs/spark-job-manifests';
export { SparkJob, type SparkJobArgs } from './jobs/spark-job';
export { SPARK_JOB_CRD_NAME, sparkJobCrd } from './jobs/spark-job-crd';
export { fleetClusterName, regionCode } from './fleet/naming';
export { ControlPlane, type ControlPlaneArgs, type ControlPlaneMember } from './control-plane/control-plane';
export { StandardsConfig } from './policy/config';
export { standardsPolicies } from './policy/pack';
export { type CheckedResource, checkStandards, type Rule, STANDARDS, type Violation } from './policy/rules';
