/**
 * Splits a VPC's IPv4 CIDR into one private and one public subnet per availability zone. Private
 * subnets (nodes, pods) take the large blocks; public subnets only hold NAT gateways and load
 * balancers. Pure, so it is tested without Pulumi.
 */

export interface SubnetPlan {
  zone: string;
  privateCidr: string;
  publicCidr: string;
}

function toInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function toIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Parses "10.0.0.0/16" or throws naming `field`. */
export function parseCidr(cidr: string, field = 'cidr'): { base: number; prefix: number } {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : NaN;
  if (!match || octets.some((o) => o > 255) || prefix > 32) {
    throw new Error(`${field}: ${JSON.stringify(cidr)} is not an IPv4 CIDR such as "10.0.0.0/16"`);
  }
  const base = toInt(octets.join('.'));
  if (base % 2 ** (32 - prefix) !== 0) {
    throw new Error(
      `${field}: ${JSON.stringify(cidr)} has host bits set; expected a network address such as "10.0.0.0/16"`,
    );
  }
  return { base, prefix };
}

/**
 * Private subnets: the VPC split into 4 blocks (zones 0..2 take one each; /18 of a /16).
 * Public subnets: small blocks (/24 of a /16) carved from the fourth quarter.
 */
export function planSubnets(vpcCidr: string, zones: string[]): SubnetPlan[] {
  const { base, prefix } = parseCidr(vpcCidr, 'vpc.cidr');
  if (prefix > 20)
    throw new Error(`vpc.cidr: ${JSON.stringify(vpcCidr)} is too small; expected a prefix of /20 or larger (e.g. /16)`);
  if (zones.length < 2 || zones.length > 3) {
    throw new Error(`vpc.zoneCount: ${zones.length} is not supported; expected 2 or 3 availability zones`);
  }
  const quarter = 2 ** (32 - prefix - 2);
  const publicSize = Math.max(16, 2 ** (32 - prefix - 8));
  return zones.map((zone, i) => ({
    zone,
    privateCidr: `${toIp(base + i * quarter)}/${prefix + 2}`,
    publicCidr: `${toIp(base + 3 * quarter + i * publicSize)}/${32 - Math.log2(publicSize)}`,
  }));
}
