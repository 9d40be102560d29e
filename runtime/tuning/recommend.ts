/**
 * The tuner: a job's run history, its tuning policy and the instance catalogue in; the next run's
 * "tuning" config layer out, with one reason per changed value. Pure and deterministic.
 */
import { TUNABLE_KNOBS, undeclaredKnobs } from '../domain/backend-knobs';
import type { ApplicationConfig } from '../domain/config';
import { valueAtPointer } from '../domain/merge';
import { parseMemoryMiB } from '../domain/quantity';
import { DEFAULT_BOUNDS, type Draft, type TuningContext } from './context';
import { KnobGuard } from './guard';
import {
  configValue,
  displayName,
  displayValue,
  effectiveValue,
  executorsPointer,
  POINTERS,
  readKnobs,
  setAtPointer,
  tuningLeaves,
} from './knobs';
import { memoryEvidence, roundMemoryMiB } from './memory';
import { Plan, sameValue } from './plan';
import { type MemoryFloor, recoveryFloors } from './recovery-floor';
import { LAST_RULES, pythonWorkersNote, RESOURCE_RULES, runName, SHAPE_RULES } from './rules';
import { resourceKey, searchResources, valuesOf } from './search';
import { lostToSpot, objectivePerGiB, overDurationLimit, type RunVerdict, verdictOf } from './signals';
import { sizeExecutor } from './sizing';
import { DEFAULT_PRICING } from './pricing';
import type {
  ConfigValue,
  HeldKnob,
  Recommendation,
  StageTiming,
  TuningBounds,
  TuningChange,
  TuningInput,
  TuningRun,
} from './types';

const NOT_SET = Symbol('not set');

export function recommend(input: TuningInput): Recommendation {
  const { policy } = input;
  const applied = policy.mode === 'auto';
  if (policy.mode === 'off')
    return { mode: 'off', applied: false, tuning: {}, changes: [], held: [], notes: ['tuning is off'] };
  const last = input.history[input.history.length - 1];
  if (!last)
    return {
      mode: policy.mode,
      applied: false,
      tuning: {},
      changes: [],
      held: [],
      notes: ['no run yet: nothing to learn from'],
    };
  const guard = new KnobGuard(last.provenance, policy.pin, input.backend ?? undeclaredKnobs('undeclared'));
  const floors = recoveryFloors(input.history);

  const notes: string[] = [...[...floors.values()].map((f) => f.reason)];
  const verdicts = new Map<TuningRun, RunVerdict>(input.history.map((r) => [r, verdictOf(r)]));
  const runs = input.history.filter((r, i) => {
    if (verdicts.get(r) !== 'spot-noise') return true;
    notes.push(`run ${r.appId ?? i + 1} failed on a spot interruption: ignored as noise`);
    return false;
  });
  const tolerance = input.options?.regressionTolerance ?? 0.1;
  const provenance = last.provenance;
  const previous = tuningLeaves(last.config, provenance);
  const finish = (
    targets: Map<string, unknown>,
    changes: TuningChange[],
    prediction?: Recommendation['prediction'],
    plan?: Plan,
  ) => {
    const tuning: Record<string, unknown> = {};
    // a value no longer tunable (pinned since, or one the back-end does not honour) leaves the layer
    for (const [ptr, value] of targets) if (guard.tunable(ptr) && value !== NOT_SET) setAtPointer(tuning, ptr, value);
    return {
      mode: policy.mode,
      applied: applied && changes.length > 0,
      tuning: tuning as ApplicationConfig,
      changes,
      held: heldKnobs(last.config, guard, changes, floors, plan),
      notes,
      ...(prediction ? { prediction } : {}),
    };
  };

  const okRuns = runs.filter((r) => verdicts.get(r) === 'ok' && r.metrics);
  const withinLimit = okRuns.filter((r) => !overDurationLimit(r, policy));
  const candidates = withinLimit.length ? withinLimit : okRuns;
  const best = minBy(candidates, (r) => objectivePerGiB(r, policy) ?? Infinity);
  const latest = runs[runs.length - 1];
  if (!latest) {
    notes.push('every run so far was interrupted by spot reclaims: config kept');
    return finish(previous, []);
  }

  const regression = regressionOf(latest, best, verdicts.get(latest)!, policy, tolerance);
  if (regression && best && best !== latest) {
    notes.push(`returning to the best known config (run ${best.appId ?? runs.indexOf(best) + 1}): ${regression}`);
    return revertTo(best, last, guard, floors, previous, regression, finish);
  }
  if (regression && !best)
    return recoverWithoutSuccess(input, last, guard, floors, verdicts.get(latest)!, regression, previous, finish);
  if (!best) return finish(previous, []);

  // tune from the latest good run, trying nothing that already failed or regressed
  // a run that ended well but was never measured (event log missing) has nothing to tune from
  const ref = verdicts.get(latest) === 'ok' && latest.metrics ? latest : best;
  const ctx = contextOf(input, guard, runs, verdicts, ref);
  const python = pythonWorkersNote(ctx);
  if (python) notes.push(python);
  const maxChanges = input.options?.maxChangesPerRun ?? 4;
  const plan = new Plan(last.config, guard, maxChanges, floors);
  const draft: Draft = {
    adaptive: ctx.refKnobs.adaptive,
    partitions: ctx.refKnobs.partitions,
    advisoryBytes: ctx.refKnobs.advisoryBytes,
    memoryFloorPerCoreMiB: 0,
    headroom: 1.25,
    holdMemoryPerCore: false,
  };
  for (const rule of SHAPE_RULES) rule.apply(ctx, plan, draft);

  let prediction: Recommendation['prediction'];
  if (input.options?.useModel ?? true) {
    const excluded = new Set<string>();
    const bestObjective = objectivePerGiB(best, policy) ?? Infinity;
    for (const run of runs) {
      const objective = objectivePerGiB(run, policy);
      const bad =
        verdicts.get(run) !== 'ok' || (objective !== undefined && objective > bestObjective * (1 + tolerance));
      if (bad && run !== best) excluded.add(resourceKey(readKnobs(run.config)));
    }
    const found = searchResources(ctx, plan, draft, excluded);
    if (found) {
      const c = found.chosen;
      const gain = 1 - c.cost / Math.max(1e-9, found.current.cost);
      const slots = c.executors * c.cores;
      const predicted = `${found.prediction.basis} predicts ${Math.round(c.durationSeconds)} s and ${c.cost.toFixed(3)} per run (${gain >= 0 ? '-' : '+'}${Math.abs(Math.round(gain * 100))}% cost) with ${slots} slots`;
      const values = valuesOf(c, executorsPointer(ctx.refKnobs), guard.tunable(POINTERS.instanceType));
      const reasons: Record<string, string> = {
        [executorsPointer(ctx.refKnobs)]:
          `efficiency ${Math.round((ctx.ref.metrics!.efficiency ?? 0) * 100)}% in ${runName(ctx)}; ${predicted}, priced with ${ctx.pricing.source}`,
        [POINTERS.cores]: `${c.cores} core${c.cores === 1 ? '' : 's'} per executor: ${predicted}`,
        [POINTERS.memory]: c.sized.memoryReason,
        [POINTERS.memoryOverhead]: c.sized.overheadReason,
        [POINTERS.instanceType]: `${c.nodes} x ${c.offer?.instanceType} packs the executors cheapest within the allow-list, priced with ${ctx.pricing.source}`,
        [POINTERS.spot]: c.spot
          ? 'spot is cheaper and no recent run was interrupted'
          : 'spot interrupted 2 of the last 5 runs',
      };
      for (const [ptr, value] of Object.entries(values)) if (value !== undefined) plan.set(ptr, value, reasons[ptr]!);
      prediction = found.prediction;
    } else {
      notes.push('the run-time model predicts no worthwhile gain from other resources');
      applyMemoryOnly(ctx, plan, draft);
    }
  } else {
    for (const rule of RESOURCE_RULES) rule.apply(ctx, plan, draft);
    applyMemoryOnly(ctx, plan, draft);
  }
  for (const rule of LAST_RULES) rule.apply(ctx, plan, draft);

  const targets = new Map(previous);
  for (const change of plan.changes) targets.set(change.pointer, change.to);
  return finish(targets, plan.changes, prediction, plan);
}

/** Every knob the recommendation does not change, with why: the plan's refusals first, else what the guard says. */
function heldKnobs(
  config: ApplicationConfig,
  guard: KnobGuard,
  changes: TuningChange[],
  floors: ReadonlyMap<string, MemoryFloor>,
  plan?: Plan,
): HeldKnob[] {
  const knobs = readKnobs(config);
  const inactive = knobs.dynamicAllocation ? POINTERS.instances : POINTERS.maxExecutors;
  const held: HeldKnob[] = [];
  for (const knob of TUNABLE_KNOBS) {
    const ptr = POINTERS[knob];
    if (ptr === inactive || changes.some((c) => c.pointer === ptr)) continue;
    const refused = plan?.refused.get(ptr);
    if (refused) {
      held.push(refused);
      continue;
    }
    const set = valueAtPointer(config, ptr) as ConfigValue | undefined;
    const value = set ?? effectiveValue(knobs, ptr);
    const shown = `${displayName(ptr)} ${displayValue(ptr, set ?? (value === undefined ? undefined : configValue(ptr, value)))}`;
    const base = { pointer: ptr, ...(set !== undefined ? { value: set } : {}) };
    const pinned = guard.pinnedBy(ptr);
    const refusedBy = guard.refusedBy(ptr);
    const floor = floors.get(ptr);
    if (pinned) held.push({ ...base, why: 'pinned', reason: pinned });
    else if (refusedBy) held.push({ ...base, why: 'backend', reason: refusedBy });
    else if (floor) held.push({ ...base, why: 'recovery', reason: `${shown} kept: ${floor.reason}` });
    else held.push({ ...base, why: 'no-signal', reason: `${shown} kept: no measured signal calls for a change` });
  }
  return held;
}

function minBy<T>(items: readonly T[], key: (item: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (!best || key(item) < key(best)) best = item;
  return best;
}

/** Why the latest run counts as a regression, or undefined. */
function regressionOf(
  latest: TuningRun,
  best: TuningRun | undefined,
  verdict: RunVerdict,
  policy: TuningInput['policy'],
  tolerance: number,
): string | undefined {
  if (verdict !== 'ok') return `the last run failed (${latest.stateReason ?? verdict})`;
  if (overDurationLimit(latest, policy)) {
    return `the last run took ${Math.round(latest.metrics!.durationMs / 1000)} s, over the ${policy.maxDurationSeconds} s limit`;
  }
  if (!best || best === latest) return undefined;
  const mine = objectivePerGiB(latest, policy);
  const theirs = objectivePerGiB(best, policy);
  if (mine === undefined || theirs === undefined || mine <= theirs * (1 + tolerance)) return undefined;
  const what = policy.objective === 'duration' ? 'duration' : 'cost';
  return `the last run's ${what} per input GiB was ${Math.round((mine / theirs - 1) * 100)}% worse than the best run's`;
}

function revertTo(
  best: TuningRun,
  last: TuningRun,
  guard: KnobGuard,
  floors: ReadonlyMap<string, MemoryFloor>,
  previous: Map<string, unknown>,
  regression: string,
  finish: (targets: Map<string, unknown>, changes: TuningChange[]) => Recommendation,
): Recommendation {
  const targets = tuningLeaves(best.config, best.provenance);
  const changes: TuningChange[] = [];
  for (const ptr of new Set([...targets.keys(), ...previous.keys()])) {
    if (!guard.tunable(ptr)) continue;
    const to = targets.has(ptr) ? targets.get(ptr) : valueAtPointer(best.config, ptr);
    const from = valueAtPointer(last.config, ptr);
    const floor = floors.get(ptr);
    if (floor && (to === undefined || (parseMemoryMiB(String(to)) ?? Infinity) < floor.mib)) {
      // the best run had less memory than recovery found this job needs: keep what recovery set
      if (previous.has(ptr)) targets.set(ptr, previous.get(ptr));
      else targets.delete(ptr);
      continue;
    }
    if (to === undefined) {
      // the best run had no tuning value here: drop ours so the lower layers decide again
      if (from !== undefined) targets.set(ptr, NOT_SET);
      continue;
    }
    if (!sameValue(ptr, from, to)) {
      targets.set(ptr, to);
      changes.push({
        pointer: ptr,
        from: from as never,
        to: to as never,
        reason: `back to the best known value: ${regression}`,
      });
    }
  }
  return finish(targets, changes);
}

/** The last run failed and none succeeded yet: fix the failure the signal names, if any. */
function recoverWithoutSuccess(
  input: TuningInput,
  last: TuningRun,
  guard: KnobGuard,
  floors: ReadonlyMap<string, MemoryFloor>,
  verdict: RunVerdict,
  regression: string,
  previous: Map<string, unknown>,
  finish: (targets: Map<string, unknown>, changes: TuningChange[], prediction: undefined, plan: Plan) => Recommendation,
): Recommendation {
  const bounds = { ...DEFAULT_BOUNDS, ...input.bounds };
  const k = readKnobs(last.config);
  const plan = new Plan(last.config, guard, input.options?.maxChangesPerRun ?? 4, floors);
  if (verdict === 'oom-heap') {
    plan.set(
      POINTERS.memory,
      Math.min(bounds.maxMemoryMiB, roundMemoryMiB(k.memoryMiB * 1.5)),
      `out-of-memory: ${regression}; +50%`,
    );
  } else if (verdict === 'oom-overhead') {
    const overhead = k.overheadMiB ?? Math.max(384, k.memoryMiB * 0.1);
    plan.set(
      POINTERS.memoryOverhead,
      roundMemoryMiB(overhead * 1.5),
      `killed over its memory limit: ${regression}; +50%`,
    );
  } else if (verdict === 'oom-driver') {
    plan.set(
      POINTERS.driverMemory,
      Math.min(bounds.maxDriverMemoryMiB, roundMemoryMiB(k.driverMemoryMiB * 2)),
      `driver out-of-memory: ${regression}; doubled`,
    );
  }
  const targets = new Map(previous);
  for (const change of plan.changes) targets.set(change.pointer, change.to);
  return finish(targets, plan.changes, undefined, plan);
}

function contextOf(
  input: TuningInput,
  guard: KnobGuard,
  runs: readonly TuningRun[],
  verdicts: ReadonlyMap<TuningRun, RunVerdict>,
  ref: TuningRun,
): TuningContext {
  const recent = input.history.slice(-5);
  return {
    policy: input.policy,
    bounds: boundsOf(input, guard),
    pricing: input.pricing ?? DEFAULT_PRICING,
    guard,
    runs,
    verdicts,
    ref,
    refKnobs: readKnobs(ref.config),
    stages: stagesOf(ref),
    memory: memoryEvidence(runs, ref, verdicts),
    spotUnreliable: recent.filter(lostToSpot).length >= 2,
  };
}

/** The tuner's limits narrowed to the ranges the back-end declares. */
function boundsOf(input: TuningInput, guard: KnobGuard): TuningBounds {
  const b = { ...DEFAULT_BOUNDS, ...input.bounds };
  const narrow = (ptr: string, min: number, max: number): [number, number] => {
    const r = guard.range(ptr);
    return [Math.max(min, r.min ?? min), Math.min(max, r.max ?? max)];
  };
  [b.minExecutors, b.maxExecutors] = narrow(
    executorsPointer(readKnobs(input.history.at(-1)!.config)),
    b.minExecutors,
    b.maxExecutors,
  );
  [b.minCores, b.maxCores] = narrow(POINTERS.cores, b.minCores, b.maxCores);
  [b.minMemoryMiB, b.maxMemoryMiB] = narrow(POINTERS.memory, b.minMemoryMiB, b.maxMemoryMiB);
  [b.minDriverMemoryMiB, b.maxDriverMemoryMiB] = narrow(
    POINTERS.driverMemory,
    b.minDriverMemoryMiB,
    b.maxDriverMemoryMiB,
  );
  [b.minPartitions, b.maxPartitions] = narrow(POINTERS.partitions, b.minPartitions, b.maxPartitions);
  return b;
}

/** The run's stages as given, else as its event log measured them, else one pseudo-stage. */
function stagesOf(run: TuningRun): StageTiming[] {
  if (run.stages?.length) return [...run.stages];
  const measured = run.metrics?.stageTimings;
  return measured?.length ? [...measured] : pseudoStages(run);
}

/** Without per-stage timings: the whole run as one stage (the replay then reduces to work / slots). */
function pseudoStages(run: TuningRun): StageTiming[] {
  const m = run.metrics!;
  const tasks = Math.max(1, m.tasks.completed);
  const skew = m.skewedStages[0]?.skew ?? 1;
  return [
    {
      stageId: 0,
      tasks,
      taskTimeMs: m.executorRunTimeMs,
      maxTaskMs: (m.executorRunTimeMs / tasks) * skew,
      shuffleReadBytes: 0,
      inputBytes: m.inputBytes,
    },
  ];
}

/** Memory and overhead at the current cores, from the measured peaks (no model). */
function applyMemoryOnly(ctx: TuningContext, plan: Plan, draft: Draft): void {
  const sized = sizeExecutor(ctx, draft, ctx.refKnobs.cores, ctx.guard.tunable(POINTERS.memory));
  if (!sized) return;
  plan.set(POINTERS.memory, sized.memoryMiB, sized.memoryReason);
  if (sized.overheadMiB !== undefined) plan.set(POINTERS.memoryOverhead, sized.overheadMiB, sized.overheadReason);
}
