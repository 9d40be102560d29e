/**
 * Spark capacity on GKE as custom ComputeClasses (cloud.google.com/v1), one per role and capacity
 * choice the runtime can select (runtime/domain/placement.ts): spot first with on-demand fallback,
 * or on-demand only. GKE creates the node pools itself (nodePoolAutoCreation), labelled and tainted
 * as the placement contract says. Pure: tested without Pulumi.
 */
import type * as pulumi from '@pulumi/pulumi';
import {
  COMPUTE_CLASS_LABEL,
  GKE_COMPUTE_CLASSES,
  NODE_LABELS,
  ROLE_LABEL,
  SPARK_TAINT,
  type SparkRole,
} from '../../runtime/domain/placement';
import type { NodePoolOffer } from '../cluster/handle';
import type { GkeClusterArgs } from './args';

export interface ComputeClassDefinition {
  name: string;
  role: SparkRole;
  spotFirst: boolean;
}

/** The four classes: drivers and executors, each spot-first or on-demand only. */
export function computeClassDefinitions(): ComputeClassDefinition[] {
  return (['driver', 'executor'] as const).flatMap((role) => [
    { name: GKE_COMPUTE_CLASSES[role].onDemand, role, spotFirst: false },
    { name: GKE_COMPUTE_CLASSES[role].spot, role, spotFirst: true },
  ]);
}

export interface ComputeClassManifest {
  apiVersion: 'cloud.google.com/v1';
  kind: 'ComputeClass';
  metadata: { name: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

/** The ComputeClass of one definition; `serviceAccount` is the nodes' Google service account e-mail. */
export function computeClassManifest(
  definition: ComputeClassDefinition,
  spark: GkeClusterArgs['spark'],
  serviceAccount: pulumi.Input<string>,
): ComputeClassManifest {
  const rule = (machineFamily: string, spot: boolean) => ({ machineFamily, spot, minCores: spark.minCores });
  const onDemand = spark.machineFamilies.map((family) => rule(family, false));
  const priorities = definition.spotFirst
    ? [...spark.machineFamilies.map((family) => rule(family, true)), ...onDemand]
    : onDemand;
  return {
    apiVersion: 'cloud.google.com/v1',
    kind: 'ComputeClass',
    metadata: {
      name: definition.name,
      labels: { 'app.kubernetes.io/managed-by': 'pulumi', 'app.kubernetes.io/part-of': 'sparkplane' },
    },
    spec: {
      description: `sparkplane ${definition.role}s, ${definition.spotFirst ? 'spot first, on-demand fallback' : 'on-demand only'}`,
      priorities,
      // executors move back to spot when it returns; a driver never moves (it would lose its application)
      activeMigration: { optimizeRulePriority: definition.spotFirst && definition.role === 'executor' },
      nodePoolAutoCreation: { enabled: true },
      nodePoolConfig: {
        serviceAccount,
        imageType: 'cos_containerd',
        nodeLabels: { [ROLE_LABEL]: definition.role },
        taints: [{ ...SPARK_TAINT }],
      },
      // never fall outside the priorities (e.g. a driver on spot)
      whenUnsatisfiable: 'DoNotScaleUp',
    },
  };
}

/** What nodes of each class offer, for the placement check (labels and taints GKE puts on them). */
export function computeClassOffers(definitions: ComputeClassDefinition[]): NodePoolOffer[] {
  const labels = NODE_LABELS.gke;
  return definitions.map((definition) => ({
    name: definition.name,
    role: definition.role,
    capacityTypes: definition.spotFirst ? [labels.spot, labels.onDemand] : [labels.onDemand],
    labels: { [ROLE_LABEL]: definition.role, [COMPUTE_CLASS_LABEL]: definition.name },
    variableLabelKeys: [labels.capacityType, labels.instanceFamily, labels.instanceType],
    taints: [
      { ...SPARK_TAINT },
      { key: COMPUTE_CLASS_LABEL, value: definition.name, effect: 'NoSchedule' },
      ...(definition.spotFirst ? [{ key: labels.capacityType, value: labels.spot, effect: 'NoSchedule' }] : []),
    ],
  }));
}
