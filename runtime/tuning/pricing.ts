/**
 * What the tuner prices candidates with: the cluster's own price table (runtime/metrics/cost.ts),
 * never a cloud list price for a cluster that has none. Instance types priced in the cluster's
 * region become offers; everything else pays per core-hour and GiB-hour, as the run's cost does.
 */
import type { PriceTable } from '../metrics/cost';
import { architectureOf, DEFAULT_CATALOGUE, type InstanceOffer } from './catalogue';

export interface Pricing {
  /** Instance types the cluster's table prices in its region; empty: pods are priced per resource. */
  offers: InstanceOffer[];
  perCoreHour: number;
  perGiBHour: number;
  /** e.g. "price table (us-east-1: 12 instance types)" or "local prices 0.04048/core-hour". */
  source: string;
}

/** The pricing of a cluster in `region` from its price table. */
export function pricingOf(table: PriceTable, region: string | undefined): Pricing {
  const byType = new Map<string, InstanceOffer>();
  for (const price of table.instances) {
    if (region !== undefined && price.region !== region) continue;
    const offer = byType.get(price.instanceType) ?? {
      instanceType: price.instanceType,
      family: price.instanceType.split('.')[0]!,
      vcpu: price.vcpus,
      memoryGiB: price.memoryGiB,
      architecture: architectureOf(price.instanceType),
      onDemandPerHour: Number.NaN,
    };
    if (price.capacityType === 'spot') offer.spotPerHour = price.pricePerHour;
    else offer.onDemandPerHour = price.pricePerHour;
    byType.set(price.instanceType, offer);
  }
  // an instance type with only a spot price cannot run on-demand pods
  const offers = [...byType.values()].filter((o) => Number.isFinite(o.onDemandPerHour));
  const { perCoreHour, perGiBHour } = table.local;
  return {
    offers,
    perCoreHour,
    perGiBHour,
    source: offers.length
      ? `the cluster's price table (${offers.length} instance types${region ? ` in ${region}` : ''})`
      : `the cluster's prices per resource (${perCoreHour}/core-hour, ${perGiBHour}/GiB-hour)`,
  };
}

/** The built-in AWS list-price catalogue: what a caller without a cluster (tests, the simulator) tunes with. */
export const DEFAULT_PRICING: Pricing = {
  offers: [...DEFAULT_CATALOGUE],
  perCoreHour: 0.04048,
  perGiBHour: 0.004445,
  source: 'the built-in AWS list prices',
};
