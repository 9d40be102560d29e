/**
 * What the simulated cluster really bills, apart from the tuner's catalogue: the same instance
 * types, but prices as a bill shows them (regional uplift, each family's own spot discount) rather
 * than the list prices the tuner is given, so the benchmark does not grade the tuner on its own numbers.
 */
export interface SimOffer {
  instanceType: string;
  family: string;
  vcpu: number;
  memoryGiB: number;
  onDemandPerHour: number;
  spotPerHour: number;
}

const SIZES = [
  ['large', 2],
  ['xlarge', 4],
  ['2xlarge', 8],
  ['4xlarge', 16],
  ['8xlarge', 32],
] as const;

/** family, GiB per vCPU, billed vCPU-hour, billed spot share: a region ~7% above list, spot discounts that differ from the typical one. */
const BILLED = [
  ['m5', 4, 0.0514, 0.44],
  ['m6i', 4, 0.0512, 0.35],
  ['m6g', 4, 0.0411, 0.47],
  ['c5', 2, 0.0455, 0.41],
  ['c6g', 2, 0.0362, 0.33],
  ['r5', 8, 0.0674, 0.37],
  ['r6g', 8, 0.0539, 0.3],
] as const;

export const SIM_OFFERS: readonly SimOffer[] = BILLED.flatMap(([family, gibPerVcpu, vcpuHour, spotShare]) =>
  SIZES.map(([size, vcpu]) => ({
    instanceType: `${family}.${size}`,
    family,
    vcpu,
    memoryGiB: vcpu * gibPerVcpu,
    onDemandPerHour: vcpu * vcpuHour,
    spotPerHour: vcpu * vcpuHour * spotShare,
  })),
);

/** The driver's pod, billed per GiB-hour on a shared node. */
export const SIM_DRIVER_PRICE_PER_GIB_HOUR = 0.0071;
