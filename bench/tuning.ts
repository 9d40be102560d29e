/**
 * Tuning benchmark: every job model runs 10 times from a poor starting config under four
 * strategies; costs are compared with the best config an exhaustive search of the grid finds.
 * Run: npm run bench:tuning
 */
import type { ApplicationConfig } from '../runtime/domain/config';
import { mergeConfig } from '../runtime/domain/merge';
import { pinPointer } from '../runtime/domain/tuning-pins';
import { SIM_OFFERS } from './tuning/sim-prices';
import type { TuningRun } from '../runtime/tuning/types';
import { JOB_MODELS } from './tuning/jobs';
import { mulberry32, seedOf } from './tuning/prng';
import { type JobModel, simulate } from './tuning/simulator';
import { GRID, gridLayer, nextLayer, STRATEGIES, type StrategyName } from './tuning/strategies';

const RUNS = 10;
const CHECKPOINTS = [2, 5, 10];
const GIB = 1024 ** 3;

function inputBytesOf(model: JobModel, modelIndex: number, run: number): number {
  const u = mulberry32(seedOf(modelIndex, run, 777))();
  const drift = model.drift ?? 0.05;
  return model.inputGiB * (1 + (model.growthPerRun ?? 0)) ** run * (1 + drift * (2 * u - 1)) * GIB;
}

function configOf(model: JobModel, tuning: ApplicationConfig) {
  return mergeConfig<ApplicationConfig>(
    { template: model.start, tuning, job: model.job },
    model.pin ? { jobPins: model.pin.map(pinPointer) } : {},
  );
}

interface Point {
  executors: number;
  cores: number;
  memoryGiB: number;
  partitions: number;
  overheadGiB: number | undefined;
  instanceType: string | undefined;
  driverGiB: number;
  adaptive: string;
}

/** Cost of one point, or Infinity when it fails or breaks the duration limit. */
function costAt(model: JobModel, inputBytes: number, p: Point): number {
  const layer = gridLayer(model, p.executors, p.cores, p.memoryGiB, p.partitions, p.overheadGiB);
  const { config } = configOf(model, layer);
  // undefined: the autoscaler picks the cheapest allowed type for this pod size
  if (config.executor) config.executor.instanceType = p.instanceType;
  config.driver = { ...config.driver, memory: `${p.driverGiB * 1024}m` };
  config.sparkConf = { ...config.sparkConf, 'spark.sql.adaptive.enabled': p.adaptive };
  const run = simulate(model, config, inputBytes, mulberry32(1), { deterministic: true });
  if (run.state !== 'COMPLETED') return Infinity;
  if (model.maxDurationSeconds && run.metrics.durationMs / 1000 > model.maxDurationSeconds) return Infinity;
  return run.cost;
}

const steps = (from: number, to: number, step: number) =>
  Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => from + i * step);
const FINE = {
  executors: steps(1, 64, 1),
  cores: steps(1, 8, 1),
  memoryGiB: steps(1, 64, 0.25),
  partitions: [...new Set(steps(0, 60, 1).map((i) => Math.round(8 * 1.12 ** i)))],
  overheadGiB: steps(0.5, 12, 0.25),
};

/**
 * The best config the search can find: the whole coarse grid, then coordinate descent over fine
 * values of every knob, instance types included, until no single change helps.
 */
function exhaustiveBest(model: JobModel, inputBytes: number): number {
  let best: Point | undefined;
  let bestCost = Infinity;
  const overheads = model.offHeapPerCoreMiB > 0 ? GRID.overheadGiB : [undefined];
  for (const executors of GRID.executors)
    for (const cores of GRID.cores)
      for (const memoryGiB of GRID.memoryGiB)
        for (const partitions of GRID.partitions)
          for (const overheadGiB of overheads) {
            const point = {
              executors,
              cores,
              memoryGiB,
              partitions,
              overheadGiB,
              instanceType: undefined,
              driverGiB: 8,
              adaptive: 'false',
            };
            const cost = costAt(model, inputBytes, point);
            if (cost < bestCost) [best, bestCost] = [point, cost];
          }
  if (!best) return Infinity;
  const types = [undefined, ...ALLOWED_TYPES(model)];
  const dimensions: [keyof Point, readonly (number | string | undefined)[]][] = [
    ['executors', FINE.executors],
    ['cores', FINE.cores],
    ['memoryGiB', FINE.memoryGiB],
    ['partitions', FINE.partitions],
    ['instanceType', types],
    ['driverGiB', steps(1, 16, 0.25)],
    ['adaptive', ['false', 'true']],
    ...(model.offHeapPerCoreMiB > 0 ? [['overheadGiB', FINE.overheadGiB] as [keyof Point, number[]]] : []),
  ];
  for (let pass = 0, improved = true; improved && pass < 6; pass++) {
    improved = false;
    for (const [key, values] of dimensions) {
      for (const value of values) {
        const point = { ...best, [key]: value } as Point;
        const cost = costAt(model, inputBytes, point);
        if (cost < bestCost - 1e-12) [best, bestCost, improved] = [point, cost, true];
      }
    }
  }
  return bestCost;
}

function ALLOWED_TYPES(model: JobModel): string[] {
  const allow = model.start.executor?.instanceAllowList ?? [];
  return SIM_OFFERS.filter((o) => allow.includes(o.family) || allow.includes(o.instanceType)).map(
    (o) => o.instanceType,
  );
}

interface RunRecord {
  cost: number;
  startCost: number;
  failedByTuning: boolean;
}

function runStrategy(model: JobModel, modelIndex: number, strategy: StrategyName): RunRecord[] {
  const history: TuningRun[] = [];
  const records: RunRecord[] = [];
  const pickRng = mulberry32(seedOf(modelIndex, 4242));
  for (let run = 0; run < RUNS; run++) {
    const inputBytes = inputBytesOf(model, modelIndex, run);
    const layer = nextLayer(strategy, model, history, pickRng);
    const { config, provenance } = configOf(model, layer);
    const sim = simulate(model, config, inputBytes, mulberry32(seedOf(modelIndex, run)));
    const start = simulate(model, configOf(model, {}).config, inputBytes, mulberry32(1), { deterministic: true });
    history.push({
      appId: `${model.name}-${run + 1}`,
      config,
      provenance,
      metrics: sim.metrics,
      stages: sim.stages,
      state: sim.state,
      ...(sim.stateReason ? { stateReason: sim.stateReason } : {}),
      spotInterrupted: sim.spotInterrupted,
    });
    const failed = sim.state === 'FAILED';
    // a failed run has to be run again: it costs what it burnt plus a good run
    records.push({
      cost: sim.cost + (failed ? start.cost : 0),
      startCost: start.cost,
      failedByTuning: failed && !sim.spotInterrupted && run > 0 && strategy !== 'none',
    });
  }
  return records;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const started = Date.now();
const bests = JOB_MODELS.map((model, i) =>
  Object.fromEntries(CHECKPOINTS.map((run) => [run, exhaustiveBest(model, inputBytesOf(model, i, run - 1))])),
);
console.log(
  `exhaustive search of ${JOB_MODELS.length} job models done in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);

const summary = new Map<StrategyName, { ratios: Record<number, number>; reduction: number; failures: number }>();
const verbose = process.argv.includes('--verbose');
for (const strategy of STRATEGIES) {
  const ratios: Record<number, number[]> = Object.fromEntries(CHECKPOINTS.map((c) => [c, []]));
  const reductions: number[] = [];
  let failures = 0;
  let total = 0;
  JOB_MODELS.forEach((model, i) => {
    const records = runStrategy(model, i, strategy);
    for (const run of CHECKPOINTS) ratios[run]!.push(records[run - 1]!.cost / bests[i]![run]!);
    const later = records.slice(4);
    if (model.overProvisioned) reductions.push(median(later.map((r) => 1 - r.cost / r.startCost)));
    failures += records.filter((r) => r.failedByTuning).length;
    total += records.length - 1;
    if (verbose && strategy === 'tuner') {
      console.log(
        `  ${model.name.padEnd(22)} ${records.map((r, k) => (r.cost / bests[i]![CHECKPOINTS.find((c) => c >= k + 1) ?? 10]!).toFixed(2) + (r.failedByTuning ? '!' : '')).join(' ')}`,
      );
    }
  });
  const medians = Object.fromEntries(CHECKPOINTS.map((c) => [c, median(ratios[c]!)]));
  summary.set(strategy, { ratios: medians, reduction: median(reductions), failures: failures / total });
  console.log(
    `${strategy.padEnd(7)} cost/best median: run2=${medians[2]!.toFixed(2)} run5=${medians[5]!.toFixed(2)} run10=${medians[10]!.toFixed(2)}` +
      `  reduction vs start (over-provisioned, runs 5-10)=${Math.round(median(reductions) * 100)}%  tuning-failures=${((failures / total) * 100).toFixed(1)}%`,
  );
}
console.log(
  `${JOB_MODELS.length} job models x ${RUNS} runs x ${STRATEGIES.length} strategies in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
const tuner = summary.get('tuner')!;
console.log(
  `tuning run5/best median=${tuner.ratios[5]!.toFixed(2)} reduction=${Math.round(tuner.reduction * 100)}% tuning-failures=${(tuner.failures * 100).toFixed(1)}%`,
);
