/**
 * A simulator of Spark jobs on an autoscaled Kubernetes cluster, for the tuning benchmark. It owns
 * its physics (task work, memory pressure, spill, OOM, start-up, packing, spot); the tuner sees
 * only what it emits: RunMetrics and per-stage timings, as an event log would give them.
 */
import type { ApplicationConfig } from '../../runtime/domain/config';
import { emptyRunMetrics, type RunMetrics } from '../../runtime/domain/metrics';
import { parseMemoryMiB } from '../../runtime/domain/quantity';
import type { AppState } from '../../runtime/domain/states';
import { SIM_DRIVER_PRICE_PER_GIB_HOUR, SIM_OFFERS, type SimOffer } from './sim-prices';
import type { StageTiming } from '../../runtime/tuning/types';
import type { Rng } from './prng';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export interface StageModel {
  /** CPU seconds per GiB the stage processes, on an m5 core. */
  cpuSecPerGiB: number;
  /** Bytes the stage processes over the job's input bytes. */
  dataFactor: number;
  /** Reads shuffle data: its task count follows the shuffle partitions. */
  shuffle: boolean;
  /** Working-set bytes per byte of a task's data (sorts, hash maps); spills beyond execution memory. */
  memPerByte: number;
  /** Storage or network bandwidth of one executor, MiB/s, shared by its cores. @default unlimited */
  ioMiBpsPerExecutor?: number;
  /** Largest partition over the average. @default 1 */
  skew?: number;
}

export interface JobModel {
  name: string;
  shape: string;
  inputGiB: number;
  /** Input growth per run (0.05 = +5% a run). @default 0 */
  growthPerRun?: number;
  /** Random input variation per run, +-share. @default 0.05 */
  drift?: number;
  stages: StageModel[];
  /** Memory a task holds that cannot spill (UDF objects, buffers), MiB. */
  fixedTaskMiB: number;
  /** Per-executor memory that does not depend on cores (broadcasts), MiB. */
  broadcastMiB: number;
  /** Non-JVM memory per core (Python workers), MiB. */
  offHeapPerCoreMiB: number;
  driverNeedMiB: number;
  /** Serial work on the driver (planning, collect), seconds. */
  driverSeconds: number;
  /** The deliberately poor starting config (the template layer). */
  start: ApplicationConfig;
  /** The job's own config. @default none */
  job?: ApplicationConfig;
  /** The job's tuning.pin: without it every value of `job` is pinned. @default none */
  pin?: string[];
  /** The starting config over-provisions resources (the 40% reduction target applies); false: it under-provisions or is right. */
  overProvisioned: boolean;
  objective?: 'cost' | 'duration' | 'cost-within-duration';
  maxDurationSeconds?: number;
}

export interface SimRun {
  state: AppState;
  stateReason?: string;
  spotInterrupted: boolean;
  metrics: RunMetrics;
  stages: StageTiming[];
  cost: number;
}

interface Resources {
  executors: number;
  cores: number;
  memoryMiB: number;
  overheadMiB: number;
  driverMemoryMiB: number;
  partitions: number;
  adaptive: boolean;
  skewJoin: boolean;
  advisoryBytes: number;
  instanceType?: string;
  allowList?: string[];
  spot: boolean;
}

function resourcesOf(config: ApplicationConfig): Resources {
  const conf = config.sparkConf ?? {};
  const memoryMiB = parseMemoryMiB(config.executor?.memory ?? '1g')!;
  const adaptive = (conf['spark.sql.adaptive.enabled'] ?? 'true') === 'true';
  const dynamic = conf['spark.dynamicAllocation.enabled'] === 'true';
  return {
    executors: dynamic ? Number(conf['spark.dynamicAllocation.maxExecutors'] ?? 6) : (config.executor?.instances ?? 6),
    cores: config.executor?.cores ?? 1,
    memoryMiB,
    overheadMiB: config.executor?.memoryOverhead
      ? parseMemoryMiB(config.executor.memoryOverhead)!
      : Math.max(384, Math.ceil(memoryMiB * 0.1)),
    driverMemoryMiB: parseMemoryMiB(config.driver?.memory ?? '1g')!,
    partitions: Number(conf['spark.sql.shuffle.partitions'] ?? 200),
    adaptive,
    skewJoin: (conf['spark.sql.adaptive.skewJoin.enabled'] ?? String(adaptive)) === 'true',
    advisoryBytes: Number(conf['spark.sql.adaptive.advisoryPartitionSizeInBytes'] ?? 64 * MIB),
    instanceType: config.executor?.instanceType,
    allowList: config.executor?.instanceAllowList,
    spot: config.executor?.spot ?? true,
  };
}

/** Node allocatable in this cluster (kubelet, daemon sets). */
function podsPerNode(offer: SimOffer, cores: number, podMiB: number): number {
  const byCpu = Math.floor((offer.vcpu - 0.1) / cores);
  const byMemory = Math.floor((offer.memoryGiB * 1024 * 0.93 - 400) / podMiB);
  return Math.max(0, Math.min(byCpu, byMemory));
}

function cpuSpeed(family: string): number {
  if (family.startsWith('c')) return 1.1;
  if (family.endsWith('g')) return 0.95;
  return 1;
}

const SPOT_INTERRUPTIONS_PER_NODE_HOUR = 0.02;

export interface SimOptions {
  /** No spot interruptions and no timing noise: for the exhaustive search of the best config. */
  deterministic?: boolean;
}

/** One run of a job model with a config and an input size. */
export function simulate(
  model: JobModel,
  config: ApplicationConfig,
  inputBytes: number,
  rng: Rng,
  options: SimOptions = {},
): SimRun {
  const r = resourcesOf(config);
  // the simulator's own noise, not the tuner's assumption: +-4% per stage, and one stage in 20 on a slow node (+20%)
  const noise = () => (options.deterministic ? 1 : (1 + (rng() - 0.5) * 0.08) * (rng() < 0.05 ? 1.2 : 1));
  const allowed = SIM_OFFERS.filter(
    (o) => !r.allowList?.length || r.allowList.includes(o.family) || r.allowList.includes(o.instanceType),
  );
  const podMiB = r.memoryMiB + r.overheadMiB;
  let offer: SimOffer | undefined;
  let perNode = 0;
  const offers = r.instanceType ? allowed.filter((o) => o.instanceType === r.instanceType) : allowed;
  let bestPrice = Infinity;
  for (const o of offers) {
    const k = podsPerNode(o, r.cores, podMiB);
    if (k === 0) continue;
    const price = Math.ceil(r.executors / k) * (r.spot ? o.spotPerHour : o.onDemandPerHour);
    if (price < bestPrice) [offer, perNode, bestPrice] = [o, k, price];
  }
  const base = emptyMetrics(inputBytes);
  if (!offer) {
    return fail(
      base,
      `executor pods unschedulable: ${r.cores} cores and ${podMiB} MiB fit no allowed instance type`,
      600,
      0,
    );
  }
  const nodes = Math.ceil(r.executors / perNode);
  const nodePricePerHour = r.spot ? offer.spotPerHour : offer.onDemandPerHour;
  const speed = cpuSpeed(offer.family);

  const execPerTaskMiB = (0.6 * (r.memoryMiB - 300)) / r.cores;
  const slots = r.executors * r.cores;
  let stagesMs = 0;
  let taskTimeMs = 0;
  let cpuMs = 0;
  let spillBytes = 0;
  let shuffleRead = 0;
  let fetchWaitMs = 0;
  let tasksDone = 0;
  let maxWorkingMiB = 0;
  const stages: StageTiming[] = [];
  const skewed: RunMetrics['skewedStages'] = [];
  // heap pressure decides GC share; computed from the largest working set held at once
  for (const s of model.stages) {
    const bytes = inputBytes * s.dataFactor;
    const tasks = s.shuffle
      ? r.adaptive
        ? Math.max(1, Math.min(r.partitions, Math.ceil(bytes / r.advisoryBytes)))
        : r.partitions
      : Math.max(1, Math.ceil(bytes / (128 * MIB)));
    const taskMiB = bytes / tasks / MIB;
    maxWorkingMiB = Math.max(maxWorkingMiB, Math.min(taskMiB * s.memPerByte, execPerTaskMiB));
  }
  const usedMiB = 300 + r.cores * (maxWorkingMiB + model.fixedTaskMiB) + model.broadcastMiB;
  const gcShare = 0.02 + 0.5 * Math.max(0, usedMiB / r.memoryMiB - 0.65);
  const startupSeconds = 20 + 15 + 0.3 * r.executors;

  if (r.driverMemoryMiB < model.driverNeedMiB) {
    return fail(
      base,
      'Driver: java.lang.OutOfMemoryError: Java heap space',
      startupSeconds + 30,
      nodes * nodePricePerHour,
    );
  }
  if (usedMiB > r.memoryMiB * 0.95) {
    return fail(
      base,
      'Job aborted: java.lang.OutOfMemoryError: Java heap space',
      startupSeconds + 120,
      nodes * nodePricePerHour,
    );
  }
  const nonHeapMiB = 250 + r.cores * model.offHeapPerCoreMiB;
  if (nonHeapMiB > r.overheadMiB) {
    const failed = fail(
      base,
      'executors killed: container exceeded memory limits (exit code 137)',
      startupSeconds + 120,
      nodes * nodePricePerHour,
    );
    failed.metrics.executorsLost = [
      { executorId: '1', reason: 'Container killed: exceeded memory limits, exit code 137' },
    ];
    return failed;
  }

  model.stages.forEach((s, stageId) => {
    const bytes = inputBytes * s.dataFactor;
    const tasks = s.shuffle
      ? r.adaptive
        ? Math.max(1, Math.min(r.partitions, Math.ceil(bytes / r.advisoryBytes)))
        : r.partitions
      : Math.max(1, Math.ceil(bytes / (128 * MIB)));
    const taskBytes = bytes / tasks;
    const skew = s.shuffle && r.adaptive && r.skewJoin ? Math.min(s.skew ?? 1, 2) : (s.skew ?? 1);
    const taskTime = (dataBytes: number) => {
      const cpu = ((s.cpuSecPerGiB * dataBytes) / GIB / speed) * 1000;
      const io = s.ioMiBpsPerExecutor ? (dataBytes / MIB / (s.ioMiBpsPerExecutor / r.cores)) * 1000 : 0;
      const working = (dataBytes / MIB) * s.memPerByte;
      const spill = Math.max(0, working - execPerTaskMiB);
      const spillMs = (spill / 150) * 1000 * 2;
      return { ms: (Math.max(cpu, io) + spillMs) / (1 - gcShare) + 120, cpu, spill };
    };
    const avg = taskTime(taskBytes);
    const big = taskTime(taskBytes * skew);
    const sumMs = avg.ms * (tasks - 1) + big.ms;
    const waves = Math.ceil(tasks / slots);
    let wallMs = tasks <= slots ? big.ms : (waves - 1) * avg.ms + Math.max(avg.ms, big.ms);
    if (s.shuffle) {
      const fetch = (bytes / MIB / (r.executors * 200)) * 1000;
      wallMs += fetch;
      fetchWaitMs += fetch * Math.min(tasks, slots);
      shuffleRead += bytes;
    }
    wallMs *= noise();
    stagesMs += wallMs;
    taskTimeMs += sumMs;
    cpuMs += avg.cpu * (tasks - 1) + big.cpu;
    spillBytes += (avg.spill * (tasks - 1) + big.spill) * MIB;
    tasksDone += tasks;
    stages.push({
      stageId,
      tasks,
      taskTimeMs: sumMs,
      maxTaskMs: big.ms,
      shuffleReadBytes: s.shuffle ? bytes : 0,
      inputBytes: s.shuffle ? 0 : bytes,
    });
    // with the data per task an event log now gives (a record of about 100 bytes)
    if (skew > 2) {
      skewed.push({
        stageId,
        attemptId: 0,
        tasks,
        skew: big.ms / avg.ms,
        medianTaskBytes: Math.round(taskBytes),
        maxTaskBytes: Math.round(taskBytes * skew),
        medianTaskRecords: Math.round(taskBytes / 100),
        maxTaskRecords: Math.round((taskBytes * skew) / 100),
      });
    }
  });

  let durationSeconds = startupSeconds + stagesMs / 1000 + model.driverSeconds;
  let state: AppState = 'COMPLETED';
  let stateReason: string | undefined;
  let spotInterrupted = false;
  const executorsLost: RunMetrics['executorsLost'] = [];
  if (r.spot && !options.deterministic) {
    const p = 1 - Math.exp(-SPOT_INTERRUPTIONS_PER_NODE_HOUR * nodes * (durationSeconds / 3600));
    if (rng() < p) {
      spotInterrupted = true;
      executorsLost.push({ executorId: '2', reason: 'node reclaimed: spot interruption' });
      if (rng() < 0.4) {
        state = 'FAILED';
        stateReason = 'executors lost: spot interruption, job aborted after 4 task failures';
        durationSeconds *= 0.6;
      } else durationSeconds *= 1.15;
    }
  }
  const hours = durationSeconds / 3600;
  const cost =
    nodes * nodePricePerHour * hours + ((r.driverMemoryMiB + 384) / 1024) * SIM_DRIVER_PRICE_PER_GIB_HOUR * hours;
  const coreSeconds = slots * (durationSeconds - 20);
  const peakJvmMiB = Math.min(r.memoryMiB, usedMiB * 1.1 + 100);
  const metrics: RunMetrics = {
    ...base,
    durationMs: Math.round(durationSeconds * 1000),
    executorCoreSeconds: Math.round(coreSeconds),
    shuffleReadBytes: Math.round(shuffleRead),
    shuffleWriteBytes: Math.round(shuffleRead),
    shuffleFetchWaitMs: Math.round(fetchWaitMs),
    memorySpillBytes: Math.round(spillBytes),
    diskSpillBytes: Math.round(spillBytes * 0.4),
    peakJvmMemoryBytes: Math.round(peakJvmMiB * MIB),
    peakRssBytes: Math.round((peakJvmMiB + nonHeapMiB) * MIB),
    executorRunTimeMs: Math.round(taskTimeMs),
    executorCpuTimeMs: Math.round(cpuMs),
    jvmGcTimeMs: Math.round(taskTimeMs * gcShare),
    gcTimeShare: gcShare,
    efficiency: Math.min(1, taskTimeMs / 1000 / coreSeconds),
    cpuUtilization: Math.min(1, cpuMs / 1000 / coreSeconds),
    tasks: { completed: tasksDone, failed: 0, killed: 0 },
    stages: { completed: model.stages.length, failed: state === 'FAILED' ? 1 : 0 },
    skewedStages: skewed.sort((a, b) => b.skew - a.skew),
    executors: [
      { executorId: 'driver', cores: 1, addedAt: 0, peakJvmMemoryBytes: Math.round(model.driverNeedMiB * 0.85 * MIB) },
    ],
    executorsLost,
    cost: { total: cost, currency: 'USD', method: `${nodes} x ${offer.instanceType}${r.spot ? ' spot' : ''}` },
  };
  return { state, ...(stateReason ? { stateReason } : {}), spotInterrupted, metrics, stages, cost };
}

function emptyMetrics(inputBytes: number): RunMetrics {
  return { ...emptyRunMetrics(), inputBytes: Math.round(inputBytes), inputRecords: Math.round(inputBytes / 200) };
}

function fail(metrics: RunMetrics, reason: string, seconds: number, pricePerHour: number): SimRun {
  const cost = (pricePerHour * seconds) / 3600;
  return {
    state: 'FAILED',
    stateReason: reason,
    spotInterrupted: false,
    metrics: {
      ...metrics,
      durationMs: Math.round(seconds * 1000),
      cost: { total: cost, currency: 'USD', method: 'failed' },
    },
    stages: [],
    cost,
  };
}
