/**
 * Pinned GKE choices. Upgrades are deliberate: change a constant here and review the snapshot diff.
 */

/** Release channel by default: GKE upgrades the control plane and nodes within it. */
export const GKE_RELEASE_CHANNEL = 'REGULAR';

/** Machine families of Spark nodes, in preference order (cost per vCPU, broad spot availability). */
export const SPARK_MACHINE_FAMILIES = ['n2d', 'n2', 'e2'] as const;
