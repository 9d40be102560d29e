/**
 * Where a Spark pod may run: capacity type (spot or on-demand), instance families and types, and
 * the Spark node pools' taint. Written against the shared contract in runtime/domain/placement.ts,
 * so every label asked for here is one the cluster components put on their node pools.
 */
import { DomainError } from '../../domain/errors';
import {
  type Autoscaler,
  COMPUTE_CLASS_LABEL,
  DO_NOT_DISRUPT_ANNOTATION,
  GKE_COMPUTE_CLASSES,
  NODE_LABELS,
  ROLE_LABEL,
  SPARK_TAINT,
  type SparkRole,
} from '../../domain/placement';
import type { Affinity, K8sToleration, NodeSelectorRequirement, NodeSelectorTerm } from './spark-application';

/** The cluster autoscaler's equivalent of Karpenter's do-not-disrupt, for GKE. */
export const SAFE_TO_EVICT_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
/** GKE taints spot nodes it provisions itself with this key. */
export const GKE_SPOT_TAINT_KEY = 'cloud.google.com/gke-spot';

/** Hosted-product defaults: the driver on on-demand capacity, executors on spot. */
export const DEFAULT_SPOT: Record<SparkRole, boolean> = { driver: false, executor: true };

export interface PodPlacementInput {
  role: SparkRole;
  /** @default false for the driver, true for executors */
  spot?: boolean;
  instanceType?: string;
  /** Families ("m5", "n2") or types ("m5.xlarge", "n2-standard-4"). */
  instanceAllowList?: string[];
  /** The user's affinity: kept, and ANDed with the instance constraints. */
  affinity?: Record<string, unknown>;
  tolerations?: K8sToleration[];
}

export interface PodPlacement {
  nodeSelector: Record<string, string>;
  affinity?: Affinity;
  tolerations: K8sToleration[];
  annotations: Record<string, string>;
}

const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** An instance type rather than a family: "m5.xlarge" on AWS, "n2-standard-4" on GCP. */
function isInstanceType(autoscaler: Autoscaler, name: string): boolean {
  return autoscaler === 'karpenter' ? name.includes('.') : name.includes('-');
}

function sparkTaintToleration(): K8sToleration {
  return { key: SPARK_TAINT.key, operator: 'Equal', value: SPARK_TAINT.value, effect: SPARK_TAINT.effect };
}

/** The ComputeClass of a GKE pod: its nodes carry the class's label and taint. */
function computeClass(role: SparkRole, spot: boolean): string {
  return spot ? GKE_COMPUTE_CLASSES[role].spot : GKE_COMPUTE_CLASSES[role].onDemand;
}

/** Capacity selection: Karpenter's capacity-type label, or a GKE ComputeClass. */
function capacitySelector(autoscaler: Autoscaler, role: SparkRole, spot: boolean): Record<string, string> {
  if (autoscaler === 'gke') return { [COMPUTE_CLASS_LABEL]: computeClass(role, spot) };
  const labels = NODE_LABELS[autoscaler];
  return { [labels.capacityType]: spot ? labels.spot : labels.onDemand };
}

function capacityTolerations(autoscaler: Autoscaler, role: SparkRole, spot: boolean): K8sToleration[] {
  if (autoscaler !== 'gke') return [];
  const tolerations: K8sToleration[] = [
    { key: COMPUTE_CLASS_LABEL, operator: 'Equal', value: computeClass(role, spot), effect: 'NoSchedule' },
  ];
  // GKE taints the spot nodes it creates
  if (spot) tolerations.push({ key: GKE_SPOT_TAINT_KEY, operator: 'Equal', value: 'true', effect: 'NoSchedule' });
  return tolerations;
}

function disruptionAnnotations(autoscaler: Autoscaler, role: SparkRole): Record<string, string> {
  if (role !== 'driver') return {};
  // losing the driver's node loses the application: ask the autoscaler not to consolidate it away
  return autoscaler === 'karpenter' ? { [DO_NOT_DISRUPT_ANNOTATION]: 'true' } : { [SAFE_TO_EVICT_ANNOTATION]: 'false' };
}

/** Node affinity terms (ORed) for the allowed families and types. */
function instanceTerms(autoscaler: Autoscaler, allowed: string[]): NodeSelectorTerm[] {
  const labels = NODE_LABELS[autoscaler];
  const types = allowed.filter((name) => isInstanceType(autoscaler, name));
  const families = allowed.filter((name) => !isInstanceType(autoscaler, name));
  const terms: NodeSelectorTerm[] = [];
  if (families.length > 0) {
    terms.push({ matchExpressions: [{ key: labels.instanceFamily, operator: 'In', values: [...new Set(families)] }] });
  }
  if (types.length > 0) {
    terms.push({ matchExpressions: [{ key: labels.instanceType, operator: 'In', values: [...new Set(types)] }] });
  }
  return terms;
}

/** ANDs our terms with the user's: Kubernetes ORs terms, so every pair is merged into one term. */
function andTerms(user: NodeSelectorTerm[] | undefined, ours: NodeSelectorTerm[]): NodeSelectorTerm[] {
  if (!user || user.length === 0) return ours;
  return user.flatMap((u) =>
    ours.map((o) => ({
      ...u,
      matchExpressions: [...(u.matchExpressions ?? []), ...(o.matchExpressions ?? [])] as NodeSelectorRequirement[],
    })),
  );
}

function mergeAffinity(user: Record<string, unknown> | undefined, terms: NodeSelectorTerm[]): Affinity | undefined {
  if (terms.length === 0) return user as Affinity | undefined;
  const affinity = structuredClone(user ?? {}) as Affinity;
  const nodeAffinity = affinity.nodeAffinity ?? {};
  const required = nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
  affinity.nodeAffinity = {
    ...nodeAffinity,
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: andTerms(required?.nodeSelectorTerms, terms) },
  };
  return affinity;
}

/** The placement of one Spark pod; `field` prefixes error messages (e.g. "executor"). */
export function placePod(autoscaler: Autoscaler, input: PodPlacementInput, field: string = input.role): PodPlacement {
  const spot = input.spot ?? DEFAULT_SPOT[input.role];
  const allowed = input.instanceType ? [input.instanceType] : (input.instanceAllowList ?? []);
  allowed.forEach((name, i) => {
    if (!LABEL_VALUE.test(name)) {
      const path = input.instanceType ? `${field}.instanceType` : `${field}.instanceAllowList[${i}]`;
      throw new DomainError(
        'VALIDATION_FAILED',
        `${path}: ${JSON.stringify(name)} is not an instance family or type such as "m5" or "m5.xlarge"`,
        [{ path, message: 'is not an instance family or type' }],
      );
    }
  });
  const affinity = mergeAffinity(input.affinity, instanceTerms(autoscaler, allowed));
  return {
    nodeSelector: { [ROLE_LABEL]: input.role, ...capacitySelector(autoscaler, input.role, spot) },
    ...(affinity ? { affinity } : {}),
    tolerations: [
      sparkTaintToleration(),
      ...capacityTolerations(autoscaler, input.role, spot),
      ...(input.tolerations ?? []),
    ],
    annotations: disruptionAnnotations(autoscaler, input.role),
  };
}

/** One placement the renderer can emit, for checking that some node pool satisfies it. */
export interface EmittablePlacement {
  role: SparkRole;
  spot: boolean;
  /** Exact labels the pod requires (its nodeSelector). */
  nodeSelector: Record<string, string>;
  /** Label keys the pod may also constrain by node affinity, with values from the user's allow-list. */
  affinityLabelKeys: string[];
  /** The tolerations sparkplane adds (the user's own come on top). */
  tolerations: K8sToleration[];
}

/** Every nodeSelector, affinity label key and toleration the renderer can emit for an autoscaler. */
export function emittablePlacements(autoscaler: Autoscaler): EmittablePlacement[] {
  const labels = NODE_LABELS[autoscaler];
  return (['driver', 'executor'] as const).flatMap((role) =>
    [false, true].map((spot) => {
      const placement = placePod(autoscaler, { role, spot });
      return {
        role,
        spot,
        nodeSelector: placement.nodeSelector,
        affinityLabelKeys: [labels.instanceFamily, labels.instanceType],
        tolerations: placement.tolerations,
      };
    }),
  );
}
