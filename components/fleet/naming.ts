/**
 * The fleet's one naming convention: `<account>-<environment>-<region code>`, a function of the
 * entry alone (never of its position or of the other entries), so adding or removing an entry
 * renames nothing else. Pure.
 */

const AREAS: Record<string, string> = {
  europe: 'eu',
  asia: 'as',
  australia: 'au',
  northamerica: 'na',
  southamerica: 'sa',
  africa: 'af',
  me: 'me',
};
const DIRECTIONS: Record<string, string> = {
  north: 'n',
  south: 's',
  east: 'e',
  west: 'w',
  central: 'c',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
};

/** A short code of an AWS or GCP region or zone: eu-west-1 -> euw1, europe-west1 -> euw1, us-east1-b -> use1b. */
export function regionCode(region: string): string {
  return region
    .split('-')
    .map((part, i) => {
      if (i === 0) return AREAS[part] ?? part;
      const match = /^([a-z]+)(\d*)$/.exec(part);
      if (!match) return part;
      return `${DIRECTIONS[match[1]!] ?? match[1]}${match[2]}`;
    })
    .join('');
}

/** The cluster name of a fleet entry. */
export function fleetClusterName(entry: { account: string; environment: string; region: string }): string {
  return `${entry.account}-${entry.environment}-${regionCode(entry.region)}`;
}
