/** The fleet description: expansion, one naming convention stable under added and removed entries, errors naming the entry. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crossAccountReaders, expandFleet, type FleetArgsInput } from './fleet';
import { fleetClusterName, regionCode } from './naming';

const BASE: FleetArgsInput = {
  accounts: {
    aws1: { cloud: 'aws', defaults: { network: { cidr: '10.40.0.0/16', zoneCount: 2, natGatewayPerZone: false } } },
    gcp1: { cloud: 'gcp', project: 'acme-analytics', defaults: { deletionProtection: false } },
  },
  entries: [
    {
      account: 'aws1',
      environment: 'dev',
      regions: ['eu-west-1', 'us-east-1'],
      overrides: { systemNodes: { maxSize: 3 } },
    },
    { account: 'gcp1', environment: 'prod', regions: ['europe-west1'], platform: { runtimeReplicas: 3 } },
  ],
  platform: { runtimeImage: 'ghcr.io/acme/sparkplane:1.0.0', runtimeReplicas: 1 },
  tags: { owner: 'data', costCenter: 'cc-1' },
  controlPlane: { cluster: 'aws1-dev-euw1' },
};

const AWS_REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-1', 'ap-northeast-1'];
const GCP_REGIONS = ['europe-west1', 'europe-west4', 'us-central1', 'us-east1', 'asia-southeast1', 'asia-northeast1'];

describe('fleet naming', () => {
  it('codes AWS and GCP regions and zones', () => {
    expect(regionCode('eu-west-1')).toBe('euw1');
    expect(regionCode('europe-west1')).toBe('euw1');
    expect(regionCode('us-central1-b')).toBe('usc1b');
    expect(regionCode('ap-southeast-1')).toBe('apse1');
    expect(fleetClusterName({ account: 'gcp1', environment: 'prod', region: 'europe-west1' })).toBe('gcp1-prod-euw1');
  });

  it('gives distinct regions of one cloud distinct codes', () => {
    for (const regions of [AWS_REGIONS, GCP_REGIONS])
      expect(new Set(regions.map(regionCode)).size).toBe(regions.length);
  });

  it('names each cluster by its own entry only: adding or removing entries renames no other cluster', () => {
    const entry = fc.record({
      account: fc.constantFrom('aws1', 'gcp1'),
      environment: fc.constantFrom('dev', 'staging', 'prod', 'qa'),
      index: fc.nat(5),
    });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { minLength: 2, maxLength: 8, selector: (e) => JSON.stringify(e) }), (raw) => {
        const entries = raw.map((e): { account: string; environment: string; regions: string[] } => ({
          account: e.account,
          environment: e.environment,
          regions: [(e.account === 'aws1' ? AWS_REGIONS : GCP_REGIONS)[e.index]!],
        }));
        const names = (list: typeof entries) =>
          expandFleet({
            ...BASE,
            entries: list,
            controlPlane: { cluster: fleetClusterName({ ...list[0]!, region: list[0]!.regions[0]! }) },
          }).members.map((m) => m.name);
        const all = names(entries);
        expect(new Set(all).size).toBe(all.length);
        for (const name of all) expect(name).toMatch(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/);
        // drop the last entry, and add one in front: the others keep their names
        expect(names(entries.slice(0, -1))).toEqual(all.slice(0, -1));
        const extra = { account: 'gcp1', environment: 'extra', regions: ['europe-west9'] };
        expect(names([entries[0]!, extra, ...entries.slice(1)]).filter((n) => !n.startsWith('gcp1-extra'))).toEqual(
          all,
        );
      }),
      { numRuns: 50 },
    );
  });
});

describe('expandFleet', () => {
  it('expands accounts x entries x regions with defaults and per-entry overrides', () => {
    const { members } = expandFleet(BASE);
    expect(members.map((m) => m.name)).toEqual(['aws1-dev-euw1', 'aws1-dev-use1', 'gcp1-prod-euw1']);
    const aws = members[0]!.cluster;
    expect(aws.cloud).toBe('aws');
    if (aws.cloud === 'aws') {
      expect(aws.args.region).toBe('eu-west-1');
      expect(aws.args.clusterName).toBe('aws1-dev-euw1');
      expect(aws.args.network).toEqual({ cidr: '10.40.0.0/16', zoneCount: 2, natGatewayPerZone: false });
      // the override of one key keeps the defaults of the others
      expect(aws.args.systemNodes).toMatchObject({ maxSize: 3, minSize: 2 });
    }
    const gke = members[2]!.cluster;
    if (gke.cloud === 'gcp')
      expect(gke.args).toMatchObject({
        project: 'acme-analytics',
        location: 'europe-west1',
        deletionProtection: false,
      });
    expect(members[2]!.platform.runtimeReplicas).toBe(3);
    expect(members[0]!.platform.runtimeReplicas).toBe(1);
  });

  it('names the entry, the key, the value and the expectation on a wrong value', () => {
    const bad = (patch: Partial<FleetArgsInput>) => () => expandFleet({ ...BASE, ...patch });
    expect(bad({ entries: [{ account: 'aws1', environment: 'dev', regions: ['europe-west1'] }] })).toThrow(
      'fleet.entries[0].regions[0]: "europe-west1" is not an AWS region',
    );
    expect(
      bad({
        entries: [
          { account: 'aws1', environment: 'dev', regions: ['eu-west-1'], overrides: { systemNodes: { minSize: 0 } } },
        ],
      }),
    ).toThrow('fleet.entries[0].overrides.systemNodes.minSize: 0 is too small');
    expect(bad({ entries: [{ account: 'nope', environment: 'dev', regions: ['eu-west-1'] }] })).toThrow(
      'fleet.entries[0].account: "nope" is not an account of the fleet; expected one of aws1, gcp1',
    );
    expect(
      bad({
        entries: [
          { account: 'aws1', environment: 'dev', regions: ['eu-west-1'] },
          { account: 'aws1', environment: 'dev', regions: ['eu-west-1'] },
        ],
      }),
    ).toThrow('cluster "aws1-dev-euw1" is declared 2 times');
    expect(bad({ controlPlane: { cluster: 'elsewhere' } })).toThrow(
      'fleet.controlPlane.cluster: "elsewhere" is not a cluster of the fleet',
    );
  });

  it('finds the AWS clusters whose bucket the control plane reads from another account', () => {
    const deployer = (account: string) => `arn:aws:iam::${account}:role/deployer`;
    const fleet = (controlPlane: FleetArgsInput['controlPlane'], aws1: Record<string, unknown> = {}) =>
      expandFleet({
        ...BASE,
        accounts: {
          ...BASE.accounts,
          aws1: { ...BASE.accounts.aws1!, ...aws1 },
          aws2: { cloud: 'aws', assumeRoleArn: deployer('222222222222'), defaults: BASE.accounts.aws1!.defaults },
        },
        entries: [...BASE.entries, { account: 'aws2', environment: 'prod', regions: ['eu-west-1'] }],
        controlPlane,
      });
    // the host's account is the caller's, aws2 another one
    expect(crossAccountReaders(fleet({ cluster: 'aws1-dev-euw1' }))).toEqual(['aws2-prod-euw1']);
    expect(crossAccountReaders(fleet({ cluster: 'aws2-prod-euw1' }))).toEqual(['aws1-dev-euw1', 'aws1-dev-use1']);
    // the same account named twice is no other account
    const same = fleet({ cluster: 'aws2-prod-euw1' }, { accountId: '222222222222' });
    expect(crossAccountReaders(same)).toEqual([]);
    // a control plane on GKE is its awsRoleArn's account
    const onGke = fleet({ cluster: 'gcp1-prod-euw1', awsRoleArn: 'arn:aws:iam::222222222222:role/cp' });
    expect(crossAccountReaders(onGke)).toEqual(['aws1-dev-euw1', 'aws1-dev-use1']);
    expect(() =>
      fleet({ cluster: 'aws1-dev-euw1' }, { accountId: '333333333333', assumeRoleArn: deployer('444444444444') }),
    ).toThrow(
      'fleet.accounts.aws1.accountId: "333333333333" is not the account of its assumeRoleArn; expected "444444444444"',
    );
  });
});
