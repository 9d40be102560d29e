/**
 * Model-based choice of executors, cores, memory, instance type and spot: predict the duration
 * and cost of every candidate with the stage replay (calibrated on the job's other runs, blended
 * with the scaling fit when it fits well), then take the best for the objective.
 */
import { allowedOffers, cheapestPacking, type InstanceOffer, packOn, type Packing } from './catalogue';
import type { Draft, TuningContext } from './context';
import { effectiveOverheadMiB, executorsPointer, type Knobs, POINTERS, readKnobs } from './knobs';
import { fitScalingModel, replayStages, type ScalingModel, type Shape, TASK_OVERHEAD_MS } from './model';
import type { Plan } from './plan';
import { inputGiB } from './signals';
import { type Sized, sizeExecutor } from './sizing';
import type { Prediction, StageTiming, TuningRun } from './types';

const CORE_CHOICES = [1, 2, 3, 4, 5, 6, 8];
/** A candidate must beat the current config's prediction by this share to be worth a change. */
const MIN_GAIN = 0.03;

export interface Candidate {
  executors: number;
  cores: number;
  sized: Sized;
  /** undefined: priced per core-hour and GiB-hour (no instance type priced for the cluster). */
  offer: InstanceOffer | undefined;
  spot: boolean;
  nodes: number;
  durationSeconds: number;
  cost: number;
}

interface Model {
  predictSeconds(executors: number, cores: number): number;
  basis: string;
}

function shuffleTasks(draft: Draft) {
  return (stage: StageTiming, scale: number) =>
    draft.adaptive
      ? Math.max(1, Math.min(draft.partitions, Math.ceil((stage.shuffleReadBytes * scale) / draft.advisoryBytes)))
      : draft.partitions;
}

/** Work per input GiB as cores per executor change (contention), fitted on runs with different core counts. */
function coreExponent(ctx: TuningContext): number {
  const byCores = new Map<number, number[]>();
  for (const run of ctx.runs) {
    if (ctx.verdicts.get(run) !== 'ok' || !run.metrics) continue;
    const cores = readKnobs(run.config).cores;
    const tasks = Math.max(1, run.metrics.tasks.completed);
    const work = Math.max(1, run.metrics.executorRunTimeMs - tasks * TASK_OVERHEAD_MS) / inputGiB(run);
    byCores.set(cores, [...(byCores.get(cores) ?? []), work]);
  }
  const refCores = ctx.refKnobs.cores;
  const refWork = byCores.get(refCores);
  let exponent: number | undefined;
  for (const [cores, works] of byCores) {
    if (cores === refCores || !refWork) continue;
    const e = Math.log(median(works) / median(refWork)) / Math.log(cores / refCores);
    exponent = exponent === undefined ? e : (exponent + e) / 2;
  }
  // prior: a little contention as executors grow; measured: clamp to plausible
  return Math.min(1, Math.max(-0.1, exponent ?? 0.1));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function buildModel(ctx: TuningContext, draft: Draft, nextInputGiB: number): Model {
  const ref = ctx.ref;
  const refShape = (run: TuningRun, k: Knobs): Shape => ({
    executors: k.executors,
    cores: k.cores,
    inputScale: inputGiB(run) / inputGiB(ref),
    shuffleTasksFor: shuffleTasks({
      ...draft,
      adaptive: k.adaptive,
      partitions: k.partitions,
      advisoryBytes: k.advisoryBytes,
    }),
  });
  const exponent = coreExponent(ctx);
  const workFactor = (cores: number) => (cores / ctx.refKnobs.cores) ** exponent;
  const refMs = ref.metrics!.durationMs;
  const fixedMs = Math.max(0, refMs - replayStages(ctx.stages, refShape(ref, ctx.refKnobs)));
  // calibration: how well ref's stages predicted the other runs with the same shuffle settings
  const ratios: number[] = [];
  for (const run of ctx.runs.slice(-6)) {
    if (run === ref || ctx.verdicts.get(run) !== 'ok' || !run.metrics) continue;
    const k = readKnobs(run.config);
    if (k.partitions !== ctx.refKnobs.partitions || k.adaptive !== ctx.refKnobs.adaptive) continue;
    const predicted = fixedMs + replayStages(ctx.stages, { ...refShape(run, k), workFactor: workFactor(k.cores) });
    ratios.push(run.metrics.durationMs / predicted);
  }
  const calibration = ratios.length ? Math.min(1.5, Math.max(0.75, median(ratios))) : 1;
  const scaling = fitScalingModel(
    ctx.runs
      .filter((r) => ctx.verdicts.get(r) === 'ok' && r.metrics)
      .map((r) => {
        const k = readKnobs(r.config);
        return { inputGiB: inputGiB(r), slots: k.executors * k.cores, durationSeconds: r.metrics!.durationMs / 1000 };
      }),
  );
  const useScaling: ScalingModel | undefined = scaling && scaling.fitError < 0.1 ? scaling : undefined;
  const scale = nextInputGiB / inputGiB(ref);
  return {
    basis: `stage replay x${calibration.toFixed(2)} calibration${useScaling ? ' blended with the scaling fit' : ''}`,
    predictSeconds(executors, cores) {
      const shape: Shape = {
        executors,
        cores,
        inputScale: scale,
        shuffleTasksFor: shuffleTasks(draft),
        workFactor: workFactor(cores),
      };
      const replay = (fixedMs + replayStages(ctx.stages, shape) * calibration) / 1000;
      if (!useScaling) return replay;
      const fitted = useScaling.predict(nextInputGiB, executors * cores);
      return 0.7 * replay + 0.3 * Math.min(2 * replay, Math.max(0.5 * replay, fitted));
    },
  };
}

function objective(ctx: TuningContext, c: Pick<Candidate, 'cost' | 'durationSeconds'>): number {
  return ctx.policy.objective === 'duration' ? c.durationSeconds + c.cost * 1e-6 : c.cost;
}

/** A fingerprint of the resource values of a config, to avoid trying again what failed or regressed. */
export function resourceKey(k: {
  executors: number;
  cores: number;
  memoryMiB: number;
  instanceType?: string;
  spot: boolean;
}) {
  return `${k.executors}/${k.cores}/${k.memoryMiB}/${k.instanceType ?? '-'}/${k.spot}`;
}

export interface SearchResult {
  chosen: Candidate;
  current: Candidate;
  prediction: Prediction;
}

/** Picks resources for the next run, or undefined when nothing predicts a worthwhile gain. */
export function searchResources(
  ctx: TuningContext,
  plan: Plan,
  draft: Draft,
  excluded: ReadonlySet<string>,
): SearchResult | undefined {
  const ref = ctx.refKnobs;
  const metrics = ctx.ref.metrics!;
  const nextInput = inputGiB(ctx.runs[ctx.runs.length - 1]!);
  const model = buildModel(ctx, draft, nextInput);
  const tunable = (ptr: string) => ctx.guard.tunable(ptr);
  const executorsPtr = executorsPointer(ref);
  const pricing = ctx.pricing;
  const perResource = pricing.offers.length === 0;
  const allowed = allowedOffers(pricing.offers, ref.allowList, ctx.guard.backend.architecture);
  const offerOf = (type: string | undefined) => pricing.offers.find((o) => o.instanceType === type);
  const offers = tunable(POINTERS.instanceType) ? allowed : [offerOf(ref.instanceType)].filter((o) => o !== undefined);
  const maxSlots = ctx.guard.backend.maxSlots ?? Infinity;
  const cores = tunable(POINTERS.cores)
    ? CORE_CHOICES.filter((c) => c >= ctx.bounds.minCores && c <= ctx.bounds.maxCores)
    : [ref.cores];
  const spots = tunable(POINTERS.spot)
    ? ctx.spotUnreliable
      ? [false]
      : ctx.policy.objective === 'duration'
        ? [ref.spot]
        : [true]
    : [ref.spot];
  const refSlots = ref.executors * ref.cores;
  const memoryTunable = tunable(POINTERS.memory);

  const evaluate = (
    executors: number,
    c: number,
    sized: Sized,
    offer: InstanceOffer | undefined,
    spot: boolean,
  ): Candidate | undefined => {
    if (executors * c > maxSlots) return undefined;
    const podMiB = sized.memoryMiB + effectiveOverheadMiB(sized.memoryMiB, sized.overheadMiB);
    let packing: Packing | { offer: undefined; nodes: number; pricePerHour: number } | undefined;
    if (perResource) {
      // as the cost method prices pods on no known instance: cores x core-hour + GiB x GiB-hour
      const hourly = executors * (c * pricing.perCoreHour + (podMiB / 1024) * pricing.perGiBHour);
      packing = { offer: undefined, nodes: 0, pricePerHour: hourly };
    } else {
      packing = offer
        ? packOn(offer, executors, c, podMiB, spot)
        : cheapestPacking(allowed, executors, c, podMiB, spot);
    }
    if (!packing) return undefined;
    const durationSeconds = model.predictSeconds(executors, c);
    return {
      executors,
      cores: c,
      sized,
      offer: packing.offer,
      spot,
      nodes: packing.nodes,
      durationSeconds,
      cost: (packing.pricePerHour * durationSeconds) / 3600,
    };
  };

  // the current config under the same model, and a cost calibration from what ref actually cost
  const refSized: Sized = {
    memoryMiB: ref.memoryMiB,
    overheadMiB: ref.overheadMiB,
    memoryReason: '',
    overheadReason: '',
  };
  const current = evaluate(ref.executors, ref.cores, refSized, offerOf(ref.instanceType), ref.spot);
  if (!current) return undefined;
  // price per second of ref's packing times its measured duration, against what it really cost (driver, billing)
  const ownPredictedCost = (current.cost / current.durationSeconds) * (metrics.durationMs / 1000);
  const costCalibration = metrics.cost ? Math.min(2, Math.max(0.5, metrics.cost.total / ownPredictedCost)) : 1;
  current.cost *= costCalibration;

  const limit =
    ctx.policy.objective === 'cost-within-duration' ? (ctx.policy.maxDurationSeconds ?? Infinity) * 0.95 : Infinity;
  const slowest = ctx.policy.objective === 'cost' ? 3 * (metrics.durationMs / 1000) : Infinity;
  let best: Candidate | undefined;
  for (const c of cores) {
    const proposed = sizeExecutor(ctx, draft, c, memoryTunable);
    if (!proposed) continue;
    // an overhead the tuner may not set stays what it is
    const sized = tunable(POINTERS.memoryOverhead) ? proposed : { ...proposed, overheadMiB: ref.overheadMiB };
    const minE = Math.max(ctx.bounds.minExecutors, Math.ceil(refSlots / 8 / c));
    const maxE = Math.min(ctx.bounds.maxExecutors, Math.max(minE, Math.floor((refSlots * 4) / c)));
    const executorChoices = tunable(executorsPtr) ? range(minE, maxE) : [ref.executors];
    for (const offer of offers.length && !perResource ? offers : [undefined]) {
      for (const spot of spots) {
        for (const executors of executorChoices) {
          const candidate = evaluate(executors, c, sized, offer, spot);
          if (!candidate) continue;
          candidate.cost *= costCalibration;
          if (candidate.durationSeconds > limit || candidate.durationSeconds > slowest) continue;
          if (best && objective(ctx, candidate) >= objective(ctx, best)) continue;
          const key = resourceKey({
            executors,
            cores: c,
            memoryMiB: sized.memoryMiB,
            instanceType: candidate.offer?.instanceType,
            spot,
          });
          if (excluded.has(key)) continue;
          const changes = plan.cost(valuesOf(candidate, executorsPtr, tunable(POINTERS.instanceType)));
          if (changes === undefined || changes > plan.remaining) continue;
          best = candidate;
        }
      }
    }
  }
  if (!best) return undefined;
  const currentFeasible = current.durationSeconds <= limit;
  if (currentFeasible && objective(ctx, best) > objective(ctx, current) * (1 - MIN_GAIN)) return undefined;
  return {
    chosen: best,
    current,
    prediction: { durationSeconds: Math.round(best.durationSeconds), cost: round(best.cost), basis: model.basis },
  };
}

export function valuesOf(c: Candidate, executorsPtr: string, setInstanceType: boolean) {
  return {
    [executorsPtr]: c.executors,
    [POINTERS.cores]: c.cores,
    [POINTERS.memory]: c.sized.memoryMiB,
    [POINTERS.memoryOverhead]: c.sized.overheadMiB,
    [POINTERS.instanceType]: setInstanceType ? c.offer?.instanceType : undefined,
    [POINTERS.spot]: c.spot,
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
