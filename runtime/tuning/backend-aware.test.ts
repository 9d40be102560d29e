import { describe, expect, it } from 'vitest';
import { kubernetesKnobs, localKnobs, TUNABLE_KNOBS } from '../domain/backend-knobs';
import type { ApplicationConfig } from '../domain/config';
import { mergeConfig } from '../domain/merge';
import { pinPointer } from '../domain/tuning-pins';
import { parsePriceTable } from '../metrics/cost';
import { architectureOf } from './catalogue';
import { GIB, metrics, stages, TEMPLATE } from './fixtures.test-helpers';
import { POINTERS } from './knobs';
import { pricingOf } from './pricing';
import { recommend } from './recommend';
import type { TuningRun } from './types';

const JOB: ApplicationConfig = { executor: { instances: 40, cores: 4, memory: '16g' } };

/** An idle, over-provisioned run of a job whose config declares its resources. */
function jobRun(
  pin: string[] | undefined,
  config: ApplicationConfig = JOB,
  template = TEMPLATE,
  taskMs = 50_000,
): TuningRun {
  const { config: merged, provenance } = mergeConfig<ApplicationConfig>(
    { template, job: config },
    pin ? { jobPins: pin.map(pinPointer) } : {},
  );
  return {
    appId: 'etl-1',
    config: merged,
    provenance,
    metrics: metrics({
      efficiency: 0.2,
      peakJvmMemoryBytes: 4 * GIB,
      cost: { total: 4, currency: 'USD', method: 't' },
    }),
    stages: stages(200, taskMs),
    state: 'COMPLETED',
  };
}

const policy = (pin?: string[]) => ({ mode: 'auto' as const, objective: 'cost' as const, ...(pin ? { pin } : {}) });

describe('what may be tuned', () => {
  it('tunes the values of the job config that are not pinned', () => {
    const rec = recommend({ history: [jobRun([])], policy: policy([]) });
    expect(Number(rec.tuning.executor?.instances)).toBeLessThan(40);
    expect(rec.changes.some((c) => c.pointer === POINTERS.instances)).toBe(true);
  });

  it('says every job value is pinned when the job lists no pins, knob by knob', () => {
    const rec = recommend({ history: [jobRun(undefined)], policy: policy() });
    expect(rec.changes.map((c) => c.pointer)).not.toContain(POINTERS.instances);
    const instances = rec.held.find((h) => h.pointer === POINTERS.instances);
    expect(instances).toMatchObject({ why: 'pinned', value: 40 });
    expect(instances?.reason).toContain("set in the job's config, which lists no tuning.pin");
  });

  it('holds a pinned value and names the pin, while tuning the rest of the job config', () => {
    const pin = ['executor.instances'];
    const rec = recommend({ history: [jobRun(pin)], policy: policy(pin) });
    expect(rec.tuning.executor?.instances).toBeUndefined();
    expect(rec.held.find((h) => h.pointer === POINTERS.instances)?.reason).toContain(
      'pinned by the job (tuning.pin executor.instances)',
    );
    expect(rec.changes.map((c) => c.pointer)).toContain(POINTERS.memory);
  });

  it('accounts for every knob: changed, or held with a reason', () => {
    const rec = recommend({ history: [jobRun([])], policy: policy([]), options: { maxChangesPerRun: 1 } });
    expect(rec.changes).toHaveLength(1);
    const accounted = new Set([...rec.changes.map((c) => c.pointer), ...rec.held.map((h) => h.pointer)]);
    // every knob but maxExecutors: dynamic allocation is off
    expect(accounted.size).toBe(TUNABLE_KNOBS.length - 1);
    expect(rec.held.some((h) => h.why === 'budget' && h.reason.includes('change budget used (1 changes a run)'))).toBe(
      true,
    );
  });

  it('never spends a change on a value already in effect: spot is the executors default', () => {
    const rec = recommend({ history: [jobRun([])], policy: policy([]) });
    expect(rec.changes.map((c) => c.pointer)).not.toContain(POINTERS.spot);
    expect(rec.held.find((h) => h.pointer === POINTERS.spot)?.why).toBe('no-signal');
  });
});

describe('back-end-aware knobs', () => {
  const localTemplate: ApplicationConfig = { driver: { memory: '4g' } };
  const localJob: ApplicationConfig = { executor: { instances: 4, cores: 2, memory: '8g' } };
  const local = localKnobs({ maxParallelism: 8 });
  const localPricing = pricingOf(parsePriceTable({}), undefined);

  it('proposes on a local cluster only the knobs it declares, within its parallelism, priced per resource', () => {
    const rec = recommend({
      history: [jobRun([], localJob, localTemplate, 3_000)],
      policy: policy([]),
      backend: local,
      pricing: localPricing,
    });
    const declared = new Set(Object.keys(local.knobs).map((k) => POINTERS[k as keyof typeof POINTERS]));
    expect(rec.changes.length).toBeGreaterThan(0);
    for (const change of rec.changes) expect(declared).toContain(change.pointer);
    const instances = Number(rec.tuning.executor?.instances ?? 4);
    const cores = Number(rec.tuning.executor?.cores ?? 2);
    expect(instances * cores).toBeLessThanOrEqual(8);
    expect(rec.tuning.executor?.spot).toBeUndefined();
    expect(rec.tuning.executor?.instanceType).toBeUndefined();
    expect(rec.held.find((h) => h.pointer === POINTERS.spot)).toMatchObject({
      why: 'backend',
      reason: 'the local back-end does not honour executor.spot',
    });
    expect(rec.held.find((h) => h.pointer === POINTERS.memory)?.why).toBe('backend');
  });

  it('never proposes an instance type of another architecture than the images', () => {
    const template: ApplicationConfig = {
      ...TEMPLATE,
      executor: { ...TEMPLATE.executor, instanceType: 'm5.4xlarge', instanceAllowList: ['m5', 'm6g', 'c6g'] },
    };
    const amd = recommend({
      history: [jobRun([], JOB, template)],
      policy: policy([]),
      backend: kubernetesKnobs({ architecture: 'amd64' }),
    });
    const amdType = amd.tuning.executor?.instanceType;
    if (amdType !== undefined) expect(architectureOf(amdType)).toBe('amd64');
    const arm = recommend({
      history: [jobRun([], JOB, template)],
      policy: policy([]),
      backend: kubernetesKnobs({ architecture: 'arm64' }),
    });
    // Graviton is cheaper per vCPU in the catalogue: an arm64 cluster moves there, an amd64 one never does
    expect(architectureOf(String(arm.tuning.executor?.instanceType))).toBe('arm64');
  });

  it('prices instance types from the cluster price table of its region only', () => {
    const table = parsePriceTable({
      instances: [
        {
          instanceType: 'm5.xlarge',
          region: 'eu-west-1',
          capacityType: 'on-demand',
          pricePerHour: 0.2,
          vcpus: 4,
          memoryGiB: 16,
        },
        {
          instanceType: 'm5.xlarge',
          region: 'eu-west-1',
          capacityType: 'spot',
          pricePerHour: 0.07,
          vcpus: 4,
          memoryGiB: 16,
        },
        {
          instanceType: 'c5.xlarge',
          region: 'us-east-1',
          capacityType: 'on-demand',
          pricePerHour: 0.17,
          vcpus: 4,
          memoryGiB: 8,
        },
      ],
    });
    const pricing = pricingOf(table, 'eu-west-1');
    expect(pricing.offers).toEqual([
      expect.objectContaining({ instanceType: 'm5.xlarge', onDemandPerHour: 0.2, spotPerHour: 0.07 }),
    ]);
    expect(pricingOf(parsePriceTable({}), 'eu-west-1').offers).toEqual([]);
  });
});
