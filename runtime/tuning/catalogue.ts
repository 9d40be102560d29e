/** Instance types with their prices, and how executor pods pack onto them. */
import type { CpuArchitecture } from '../domain/backend-knobs';

export interface InstanceOffer {
  /** e.g. "m5.2xlarge" */
  instanceType: string;
  /** e.g. "m5" */
  family: string;
  vcpu: number;
  memoryGiB: number;
  architecture: CpuArchitecture;
  /** Price per hour, on-demand and spot, in the catalogue's currency; spot absent when it has no spot price. */
  onDemandPerHour: number;
  spotPerHour?: number;
}

/** The CPU architecture an instance type's name implies: AWS Graviton (m6g, c7gn, r8gd...) and GCP Axion/Tau T2A are arm64. */
export function architectureOf(instanceType: string): CpuArchitecture {
  const family = instanceType.split('.')[0]!.toLowerCase();
  if (/^[a-z]+\d+g[a-z]*$/.test(family) || /^(t2a|c4a)(-|$)/.test(family)) return 'arm64';
  return 'amd64';
}

const SIZES = [
  ['large', 2],
  ['xlarge', 4],
  ['2xlarge', 8],
  ['4xlarge', 16],
  ['8xlarge', 32],
] as const;

/** family, GiB per vCPU, on-demand price of one vCPU-hour, spot share of the on-demand price. */
const FAMILIES = [
  ['m5', 4, 0.048, 0.38],
  ['m6i', 4, 0.048, 0.4],
  ['m6g', 4, 0.0385, 0.42],
  ['c5', 2, 0.0425, 0.36],
  ['c6g', 2, 0.034, 0.4],
  ['r5', 8, 0.063, 0.32],
  ['r6g', 8, 0.0504, 0.36],
] as const;

/** Common AWS families, us-east-1 list prices (USD) rounded; spot at a typical discount. */
export const DEFAULT_CATALOGUE: readonly InstanceOffer[] = FAMILIES.flatMap(
  ([family, gibPerVcpu, vcpuHour, spotShare]) =>
    SIZES.map(([size, vcpu]) => ({
      instanceType: `${family}.${size}`,
      family,
      vcpu,
      memoryGiB: vcpu * gibPerVcpu,
      architecture: architectureOf(family),
      onDemandPerHour: round4(vcpu * vcpuHour),
      spotPerHour: round4(vcpu * vcpuHour * spotShare),
    })),
);

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** CPU and memory a node keeps for the kubelet, system pods and daemon sets (EKS-like, on the safe side). */
const RESERVED_CPU = 0.15;
const ALLOCATABLE_MEMORY_SHARE = 0.92;
const RESERVED_MEMORY_MIB = 450;

/** How many executor pods of this size fit on one node of the offer. */
export function podsPerNode(offer: InstanceOffer, cores: number, podMemoryMiB: number): number {
  const byCpu = Math.floor((offer.vcpu - RESERVED_CPU) / cores);
  const byMemory = Math.floor((offer.memoryGiB * 1024 * ALLOCATABLE_MEMORY_SHARE - RESERVED_MEMORY_MIB) / podMemoryMiB);
  return Math.max(0, Math.min(byCpu, byMemory));
}

/**
 * Offers allowed by an allow-list of families ("m5") or types ("m5.xlarge"), all of them when there
 * is no list, and of the images' architecture when it is known.
 */
export function allowedOffers(
  catalogue: readonly InstanceOffer[],
  allowList: readonly string[] | undefined,
  architecture?: CpuArchitecture,
) {
  const ofArch = catalogue.filter((o) => architecture === undefined || o.architecture === architecture);
  if (!allowList || allowList.length === 0) return ofArch;
  return ofArch.filter((o) => allowList.includes(o.instanceType) || allowList.includes(o.family));
}

export interface Packing {
  offer: InstanceOffer;
  nodes: number;
  pricePerHour: number;
}

/** Nodes and hourly price for `executors` pods on one offer, or undefined when a pod does not fit. */
export function packOn(
  offer: InstanceOffer,
  executors: number,
  cores: number,
  podMemoryMiB: number,
  spot: boolean,
): Packing | undefined {
  const perNode = podsPerNode(offer, cores, podMemoryMiB);
  if (perNode === 0) return undefined;
  const hourly = spot ? offer.spotPerHour : offer.onDemandPerHour;
  if (hourly === undefined) return undefined;
  const nodes = Math.ceil(executors / perNode);
  return { offer, nodes, pricePerHour: nodes * hourly };
}

/** The cheapest packing among offers, as an autoscaler choosing from an allow-list would do. */
export function cheapestPacking(
  offers: readonly InstanceOffer[],
  executors: number,
  cores: number,
  podMemoryMiB: number,
  spot: boolean,
): Packing | undefined {
  let best: Packing | undefined;
  for (const offer of offers) {
    const packing = packOn(offer, executors, cores, podMemoryMiB, spot);
    if (packing && (!best || packing.pricePerHour < best.pricePerHour)) best = packing;
  }
  return best;
}
