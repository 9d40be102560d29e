/** Properties the tuner keeps whatever the job's history: pins hold, back-ends get only their knobs, nothing throws. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BackendKnobs, TUNABLE_KNOBS, type TunableKnob } from '../domain/backend-knobs';
import type { ApplicationConfig } from '../domain/config';
import { mergeConfig, valueAtPointer } from '../domain/merge';
import { Recommendation } from '../domain/recommendation';
import { AppState } from '../domain/states';
import { pinPointer } from '../domain/tuning-pins';
import { GIB, metrics, stages, TEMPLATE } from './fixtures.test-helpers';
import { displayName, POINTERS, setAtPointer } from './knobs';
import { recommend } from './recommend';
import type { TuningRun } from './types';

/** A job config that sets every knob the tuner knows. */
const JOB: ApplicationConfig = {
  sparkConf: {
    'spark.sql.shuffle.partitions': '400',
    'spark.sql.adaptive.enabled': 'false',
    'spark.sql.adaptive.skewJoin.enabled': 'false',
    'spark.sql.adaptive.advisoryPartitionSizeInBytes': String(16 * 1024 * 1024),
    'spark.sql.execution.pythonUDF.arrow.enabled': 'false',
    'spark.sql.autoBroadcastJoinThreshold': String(10 * 1024 * 1024),
  },
  driver: { memory: '8g' },
  executor: { instances: 32, cores: 4, memory: '16g', memoryOverhead: '2g', instanceType: 'm5.4xlarge', spot: false },
};
/** The tuning.pin path of a knob: "executor.memory", "sparkConf.spark.sql.shuffle.partitions". */
const knobPath = (k: TunableKnob) => {
  const ptr = POINTERS[k];
  return ptr.startsWith('/sparkConf/') ? `sparkConf.${displayName(ptr)}` : displayName(ptr);
};
// dynamic allocation is off in JOB: its maximum is no knob of this job
const KNOB_PATHS = TUNABLE_KNOBS.filter((k) => k !== 'maxExecutors').map(knobPath);

const policy = (pin?: string[]) => ({ mode: 'auto' as const, objective: 'cost' as const, ...(pin ? { pin } : {}) });

const runMetrics = fc.record({
  efficiency: fc.double({ min: 0, max: 1.2, noNaN: true }),
  peakJvmMemoryBytes: fc.option(fc.double({ min: 0, max: 64 * GIB, noNaN: true }), { nil: undefined }),
  memorySpillBytes: fc.constantFrom(0, 30 * GIB),
  gcTimeShare: fc.double({ min: 0, max: 0.6, noNaN: true }),
  durationMs: fc.integer({ min: 0, max: 7_200_000 }),
  inputBytes: fc.integer({ min: 0, max: 200 * GIB }),
  incomplete: fc.boolean(),
  peakPythonRssBytes: fc.option(fc.double({ min: 0, max: 16 * GIB, noNaN: true }), { nil: undefined }),
  pythonWorkerTimeMs: fc.option(fc.nat(40_000_000), { nil: undefined }),
  // stages as the event log measured them: any counts, overlapping or not, with or without times
  stageTimings: fc.option(
    fc.array(
      fc
        .record({
          stageId: fc.nat(20),
          tasks: fc.nat(5000),
          taskTimeMs: fc.nat(10_000_000),
          maxTaskMs: fc.nat(1_000_000),
          shuffleReadBytes: fc.constantFrom(0, GIB),
          inputBytes: fc.constantFrom(0, 10 * GIB),
          times: fc.option(fc.tuple(fc.nat(600_000), fc.nat(600_000)), { nil: undefined }),
        })
        .map(({ times, ...stage }) =>
          times ? { ...stage, startOffsetMs: Math.min(...times), endOffsetMs: Math.max(...times) } : stage,
        ),
      { maxLength: 5 },
    ),
    { nil: undefined },
  ),
});

/** One run of the job: any state, with complete, incomplete or missing metrics and stages. */
const runOf = (pin: string[] | undefined, tuning: ApplicationConfig) =>
  fc
    .record({
      state: fc.constantFrom(...AppState.options),
      stateReason: fc.constantFrom(
        undefined,
        'exit code 1',
        'java.lang.OutOfMemoryError',
        'OOMKilled',
        'spot interruption',
      ),
      m: fc.option(runMetrics, { nil: undefined }),
      stageShape: fc.constantFrom('none', 'empty', 'measured'),
    })
    .map(({ state, stateReason, m, stageShape }): TuningRun => {
      const { config, provenance } = mergeConfig<ApplicationConfig>(
        { template: TEMPLATE, job: JOB, tuning },
        pin ? { jobPins: pin.map(pinPointer) } : {},
      );
      return {
        appId: 'job-run',
        config,
        provenance,
        state,
        ...(stateReason ? { stateReason } : {}),
        ...(m ? { metrics: metrics(m) } : {}),
        ...(stageShape === 'empty' ? { stages: [] } : stageShape === 'measured' ? { stages: stages() } : {}),
      };
    });

const pins = fc.option(fc.subarray(KNOB_PATHS), { nil: undefined });

describe('tuner properties', () => {
  it('never changes a pinned value, and the merge keeps the job value of every pin', () => {
    fc.assert(
      fc.property(
        pins.chain((pin) => fc.tuple(fc.constant(pin), fc.array(runOf(pin, {}), { minLength: 1, maxLength: 4 }))),
        ([pin, history]) => {
          const rec = recommend({ history, policy: policy(pin) });
          const pinned = pin ? pin.map(pinPointer) : TUNABLE_KNOBS.map((k) => POINTERS[k]);
          for (const ptr of pinned) {
            expect(rec.changes.map((c) => c.pointer)).not.toContain(ptr);
            expect(valueAtPointer(rec.tuning, ptr)).toBeUndefined();
          }
          const next = mergeConfig(
            { template: TEMPLATE, job: JOB, tuning: rec.tuning },
            pin ? { jobPins: pin.map(pinPointer) } : {},
          );
          for (const ptr of pinned) expect(valueAtPointer(next.config, ptr)).toEqual(valueAtPointer(JOB, ptr));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('never gives a back-end a knob it did not declare, even one an earlier tuning layer set', () => {
    const earlier: ApplicationConfig = {};
    for (const k of TUNABLE_KNOBS) if (k !== 'maxExecutors') setAtPointer(earlier, POINTERS[k], JOB_VALUE[k]);
    fc.assert(
      fc.property(
        fc.subarray([...TUNABLE_KNOBS]),
        fc.array(runOf([], earlier), { minLength: 1, maxLength: 4 }),
        (declared, history) => {
          const backend: BackendKnobs = { kind: 'test', knobs: Object.fromEntries(declared.map((k) => [k, {}])) };
          const rec = recommend({ history, policy: policy([]), backend });
          const allowed = new Set(declared.map((k) => POINTERS[k]));
          for (const change of rec.changes) expect(allowed).toContain(change.pointer);
          for (const k of TUNABLE_KNOBS) {
            if (!allowed.has(POINTERS[k])) expect(valueAtPointer(rec.tuning, POINTERS[k])).toBeUndefined();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('never throws on any history and always answers a valid recommendation that accounts for every knob', () => {
    fc.assert(
      fc.property(
        pins.chain((pin) => fc.array(runOf(pin, {}), { minLength: 0, maxLength: 6 }).map((h) => [pin, h] as const)),
        ([pin, history]) => {
          const rec = recommend({ history, policy: policy(pin) });
          expect(() => Recommendation.parse(rec)).not.toThrow();
          if (history.length > 0) expect(rec.changes.length + rec.held.length).toBe(KNOB_PATHS.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** A value other than JOB's for every knob, as an earlier tuning would have set. */
const JOB_VALUE: Record<TunableKnob, string | number | boolean> = {
  instances: 12,
  maxExecutors: 12,
  cores: 2,
  memory: '6g',
  memoryOverhead: '1g',
  driverMemory: '2g',
  partitions: '100',
  adaptive: 'true',
  skewJoin: 'true',
  advisoryBytes: String(128 * 1024 * 1024),
  instanceType: 'c5.2xlarge',
  spot: true,
  pythonArrow: 'true',
  broadcastThreshold: String(64 * 1024 * 1024),
};
