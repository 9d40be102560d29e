/**
 * The platform's standards (components/policy) over every stack's rendered resources: a stack that
 * breaks one fails here with the rule's message naming the resource.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { StandardsConfig } from '../components/policy/config';
import { type CheckedResource, checkStandards } from '../components/policy/rules';
import type { RecordedResource } from '../components/testing/pulumi-mocks';
import { engineConfig, renderStack, STACKS, stackFile } from './render';

const standards = StandardsConfig.parse({});
const checked = (resources: RecordedResource[]): CheckedResource[] =>
  resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs }));
const configOf = (stack: string) => engineConfig(readFileSync(stackFile(stack), 'utf8'));

// a fleet renders twelve clusters: more than a test's default time on a loaded two-core machine
const RENDER_TIMEOUT_MS = 120_000;

describe.each(STACKS)('stack %s', (stack) => {
  it(
    "meets the platform team's standards",
    async () => {
      const { resources } = await renderStack(stack);
      expect(checkStandards(checked(resources), standards).map((v) => v.message)).toEqual([]);
    },
    RENDER_TIMEOUT_MS,
  );
});

describe('a stack that breaks the standards', () => {
  it('is reported by each broken rule, naming the resource', async () => {
    const config = configOf('dev');
    const aws = JSON.parse(config['sparkplane:aws']!);
    const broken = {
      ...config,
      'sparkplane:aws': JSON.stringify({ ...aws, region: 'ap-south-1' }),
    };
    const { resources } = await renderStack('dev', broken);
    const violations = checkStandards(checked(resources), standards);
    expect(violations.map((v) => v.rule)).toEqual(['allowed-regions']);
    expect(violations[0]!.message).toBe(
      'pulumi:providers:aws sparkplane-dev-aws: region "ap-south-1" is outside the allowed regions ["eu-west-1","eu-central-1","us-east-1","us-west-2","europe-west1","europe-west4","us-central1","us-east1"]',
    );
    expect(violations[0]!.urn).toMatch(/::sparkplane-dev-aws$/);
  });
});

describe('a fleet that breaks the standards', () => {
  let resources: RecordedResource[];

  // a fleet renders for seconds: in the hook, whose time-out allows it on a loaded machine
  beforeAll(async () => {
    const config = configOf('fleet');
    const fleet = JSON.parse(config['sparkplane:fleet']!);
    fleet.entries.push({ account: 'gcpdata', environment: 'dev', regions: ['asia-south1'] });
    resources = (await renderStack('fleet', { ...config, 'sparkplane:fleet': JSON.stringify(fleet) })).resources;
  });

  it('is reported naming the resource of the entry that breaks it', () => {
    const violations = checkStandards(checked(resources), standards);
    expect(violations.map((v) => v.rule)).toEqual(['allowed-regions']);
    expect(violations[0]!.message).toMatch(
      /^pulumi:providers:gcp gcpdata-dev-ass1-gcp: region "asia-south1" is outside the allowed regions/,
    );
  });
});
