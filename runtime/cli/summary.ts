/**
 * The readable forms of the API's answers: what `apps get`, `jobs get`, `jobs stats`,
 * `jobs recommendation`, `clusters get` and `submit --wait` print without `-o`.
 */
import type { Application } from '../domain/application';
import type { Cluster } from '../domain/cluster';
import type { JobStatistics } from '../domain/job-statistics';
import type { RunMetrics } from '../domain/metrics';
import type { Recommendation } from '../domain/recommendation';
import type { JobDetail, Schedule } from '../domain/resources';
import { amount, bytes, type Column, duration, elapsed, fields, format, percent, sparkline, table } from './output';

type Field = readonly [string, unknown];

/**
 * The dotted path of a JSON pointer, as `--set` takes it: "/sparkConf/spark.sql.shuffle.partitions"
 * -> "sparkConf.spark.sql.shuffle.partitions". (The domain's pointer helpers come with its schemas,
 * whose library the CLI does not load to print an answer.)
 */
export function pathOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function valueAt(config: unknown, pointer: string): unknown {
  let value = config;
  for (const key of pointer.split('/').slice(1)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

/** The effective values the tuning layer set (provenance "tuning"), as `path = value` lines. */
export function tuningChanges(app: Pick<Application, 'config' | 'provenance'>): string[] {
  return Object.entries(app.provenance)
    .filter(([, layer]) => layer === 'tuning')
    .map(([pointer]) => `${pathOf(pointer)} = ${format(valueAt(app.config, pointer))}`)
    .sort();
}

const optional = <T>(value: T | undefined, show: (v: T) => string) => (value === undefined ? undefined : show(value));

const coreHours = (metrics: RunMetrics) => metrics.executorCoreSeconds / 3600;

const count = (n: number) => n.toLocaleString('en-US');

/** The run's duration: measured from the event log once there is one, else from its timestamps. */
function runDuration(app: Application, now: number): number | undefined {
  return app.metrics?.durationMs ?? elapsed(app.startedAt, app.endedAt, now);
}

/** One line for the end of `submit --wait`: "spark-pi-1: COMPLETED in 41s, cost 0.0021 USD, 0.02 core-hours". */
export function runLine(app: Application, now = Date.now()): string {
  const ms = runDuration(app, now);
  const { metrics } = app;
  return [
    `${app.id}: ${app.state}`,
    app.stateReason ? ` (${app.stateReason})` : '',
    app.pendingReason ? ` (waiting: ${app.pendingReason})` : '',
    ms === undefined ? '' : ` in ${duration(ms)}`,
    metrics?.cost ? `, cost ${amount(metrics.cost.total)} ${metrics.cost.currency}` : '',
    metrics ? `, ${amount(coreHours(metrics))} core-hours` : '',
  ].join('');
}

/** State, reason, duration, cost, core-hours, data read and written, efficiency and what tuning changed. */
function runFields(app: Application, now: number): Field[] {
  const ms = runDuration(app, now);
  const { metrics } = app;
  const waited = metrics?.waitBeforeStartMs;
  const out: Field[] = [['State', app.state]];
  if (app.stateReason) out.push(['Reason', app.stateReason]);
  if (app.pendingReason) out.push(['Waiting', app.pendingReason]);
  out.push([
    'Duration',
    ms === undefined
      ? undefined
      : `${duration(ms)}${app.endedAt ? '' : ' so far'}${waited ? ` (after waiting ${duration(waited)} to start)` : ''}`,
  ]);
  if (metrics) {
    out.push(
      [
        'Cost',
        metrics.cost ? `${amount(metrics.cost.total)} ${metrics.cost.currency} (${metrics.cost.method})` : undefined,
      ],
      ['Core-hours', amount(coreHours(metrics))],
      ['Read', `${bytes(metrics.inputBytes)}, ${count(metrics.inputRecords)} records`],
      ['Written', `${bytes(metrics.outputBytes)}, ${count(metrics.outputRecords)} records`],
    );
    if (metrics.shuffleReadBytes + metrics.shuffleWriteBytes > 0)
      out.push(['Shuffle', `${bytes(metrics.shuffleReadBytes)} read, ${bytes(metrics.shuffleWriteBytes)} written`]);
    if (metrics.memorySpillBytes + metrics.diskSpillBytes > 0)
      out.push(['Spill', `${bytes(metrics.memorySpillBytes)} memory, ${bytes(metrics.diskSpillBytes)} disk`]);
    out.push([
      'Efficiency',
      `${percent(metrics.efficiency)} (CPU ${percent(metrics.cpuUtilization)}, GC ${percent(metrics.gcTimeShare)})`,
    ]);
    if (metrics.incomplete) out.push(['Event log', 'incomplete: the figures cover its complete lines']);
  } else {
    out.push(['Metrics', app.endedAt ? 'none: no event log measured' : 'measured from the event log when it ends']);
  }
  const measurement = app.measurement;
  if (measurement && measurement.state !== 'measured') {
    out.push(['Measurement', `${measurement.state}${measurement.reason ? `: ${measurement.reason}` : ''}`]);
  }
  const tuned = tuningChanges(app);
  out.push(['Tuning changed', tuned.length > 0 ? tuned.join('\n') : 'nothing']);
  return out;
}

/** What `apps get <id>` prints. */
export function applicationSummary(app: Application, now = Date.now()): string {
  return fields([
    ['Name', app.id],
    ['Job', app.jobId ?? `none (a ${app.type ?? 'batch'} belongs to no job)`],
    ['Cluster', app.clusterId],
    ...runFields(app, now),
    ['Submitted', `${app.createdAt} through the ${app.submissionSource}${app.userId ? ` by ${app.userId}` : ''}`],
    ...(app.startedAt ? [['Started', app.startedAt] as const] : []),
    ...(app.endedAt ? [['Ended', app.endedAt] as const] : []),
  ]);
}

/** The columns of application lists (`apps list`, a job's executions). */
export function applicationColumns(now = Date.now()): Column<Application>[] {
  return [
    { header: 'APP', value: (a) => a.id },
    { header: 'JOB', value: (a) => a.jobId ?? `(${a.type ?? 'batch'})` },
    { header: 'CLUSTER', value: (a) => a.clusterId },
    { header: 'STATE', value: (a) => a.state },
    { header: 'CREATED', value: (a) => a.createdAt },
    { header: 'DURATION', value: (a) => optional(runDuration(a, now), duration) },
    { header: 'COST', value: (a) => a.metrics?.cost && amount(a.metrics.cost.total) },
    { header: 'EFFICIENCY', value: (a) => a.metrics && percent(a.metrics.efficiency) },
    // while it waits, why it waits; after, why it is in its state
    { header: 'REASON', value: (a) => a.pendingReason ?? a.stateReason },
  ];
}

/** "0 2 * * * (Europe/Paris)", with ", disabled" when it is off. */
export function scheduleText(schedule: Schedule | undefined): string | undefined {
  return schedule && `${schedule.cron} (${schedule.timezone})${schedule.enabled ? '' : ', disabled'}`;
}

/** What `jobs get <id>` prints: the spec, its last run in full, then its latest executions. */
export function jobSummary(job: JobDetail, now = Date.now()): string {
  const { tuning } = job;
  const spec: Field[] = [
    ['Name', job.displayName ? `${job.id} (${job.displayName})` : job.id],
    ['Cluster', job.clusterId],
    ['Template', job.configTemplateId],
    ['Schedule', scheduleText(job.schedule)],
  ];
  if (job.nextRunAt) spec.push(['Next run', job.nextRunAt]);
  spec.push(
    [
      'Tuning',
      `${tuning.mode}, objective ${tuning.objective}${tuning.maxDurationSeconds ? ` within ${duration(tuning.maxDurationSeconds * 1000)}` : ''}`,
    ],
    ['Concurrency', job.concurrencyPolicy],
    ['Updated', job.updatedAt],
  );
  const [last] = job.executions;
  if (!last) return fields([...spec, ['Last run', 'none yet']]);
  const columns = applicationColumns(now).filter((c) => c.header !== 'JOB' && c.header !== 'CLUSTER');
  return [
    fields(spec),
    fields([['Last run', last.id], ...runFields(last, now)]),
    `Executions (newest first):\n${table(job.executions, columns)}`,
  ].join('\n\n');
}

/** The most runs a series shows, one character each. */
const SERIES_POINTS = 40;

/** What `jobs stats <id>` prints: the medians, then each figure's series as a sparkline. */
export function statisticsSummary(jobId: string, stats: JobStatistics): string {
  const { medians, series } = stats;
  const head = fields([
    ['Job', jobId],
    ['Runs', `${series.length} measured; medians of the last ${stats.medianOfRuns}`],
    ['Median cost', optional(medians.cost, amount)],
    ['Median duration', optional(medians.durationMs, duration)],
    ['Median read', optional(medians.inputBytes, bytes)],
    ['Median written', optional(medians.outputBytes, bytes)],
    ['Median efficiency', optional(medians.efficiency, percent)],
    [
      'Prediction error',
      stats.predictionError &&
        `duration ${percent(stats.predictionError.duration)}` +
          (stats.predictionError.cost === undefined ? '' : `, cost ${percent(stats.predictionError.cost)}`) +
          ` (median over ${stats.predictionError.runs} tuned runs)`,
    ],
  ]);
  if (series.length === 0) return head;
  const shown = series.slice(-SERIES_POINTS);
  const line = (values: number[], show: (v: number) => string) =>
    `${sparkline(values)}  ${show(Math.min(...values))} to ${show(Math.max(...values))}, last ${show(values.at(-1)!)}`;
  const costs = shown.flatMap((p) => (p.cost === undefined ? [] : [p.cost]));
  const lines: Field[] = [
    [
      'duration',
      line(
        shown.map((p) => p.durationMs),
        duration,
      ),
    ],
    ...(costs.length > 0 ? [['cost', line(costs, amount)] as const] : []),
    [
      'read',
      line(
        shown.map((p) => p.inputBytes),
        bytes,
      ),
    ],
    [
      'written',
      line(
        shown.map((p) => p.outputBytes),
        bytes,
      ),
    ],
    [
      'efficiency',
      line(
        shown.map((p) => p.efficiency),
        percent,
      ),
    ],
  ];
  const title =
    shown.length < series.length ? `the last ${shown.length} of ${series.length} runs` : `${series.length} runs`;
  const body = fields(lines)
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `${head}\n\nSeries, oldest first (${title}, ${shown[0]!.endedAt} to ${shown.at(-1)!.endedAt}):\n${body}`;
}

/**
 * One change as `path from -> to: why`. The tuner's reasons mostly start with that same
 * "name from -> to: " (in its own units): that prefix is left out so that the change reads once.
 */
export function changeLine(change: Recommendation['changes'][number]): string {
  const why = change.reason.replace(/^[^:]* -> [^:]*: /, '');
  return `${pathOf(change.pointer)} ${change.from ?? 'default'} -> ${change.to}: ${why}`;
}

/** One knob the tuner keeps, and why: `executor.spot (true) backend: the local back-end does not honour it`. */
export function heldLine(knob: Recommendation['held'][number]): string {
  const value = knob.value === undefined ? '' : ` (${knob.value})`;
  return `${pathOf(knob.pointer)}${value} ${knob.why}: ${knob.reason}`;
}

/** What `jobs recommendation <id>` prints. */
export function recommendationSummary(jobId: string, recommendation: Recommendation): string {
  const { prediction } = recommendation;
  // whether the next run takes the changes: only worth saying when there are some
  const applied =
    recommendation.changes.length === 0 ? '' : recommendation.applied ? ' (the next run uses them)' : ' (not applied)';
  return fields([
    ['Job', jobId],
    ['Mode', `${recommendation.mode}${applied}`],
    ['Changes', recommendation.changes.length > 0 ? recommendation.changes.map(changeLine).join('\n') : 'none'],
    ['Held', recommendation.held.length > 0 ? recommendation.held.map(heldLine).join('\n') : undefined],
    [
      'Prediction',
      prediction &&
        `${duration(prediction.durationSeconds * 1000)}, cost ${amount(prediction.cost)} (${prediction.basis})`,
    ],
    ['Notes', recommendation.notes.length > 0 ? recommendation.notes.join('\n') : undefined],
  ]);
}

/** What `clusters get <id>` prints. */
export function clusterSummary(cluster: Cluster): string {
  return fields([
    ['Name', cluster.displayName ? `${cluster.id} (${cluster.displayName})` : cluster.id],
    ['Back-end', cluster.backend],
    ['State', cluster.state],
    ...(cluster.reason ? [['Reason', cluster.reason] as const] : []),
    ['Last heartbeat', cluster.lastHeartbeat],
    ...(cluster.kubernetesVersion ? [['Kubernetes', cluster.kubernetesVersion] as const] : []),
    ...(cluster.operatorVersion ? [['Spark operator', cluster.operatorVersion] as const] : []),
    ['Settings', Object.keys(cluster.settings).length > 0 ? cluster.settings : undefined],
    ['Managed by', cluster.managedBy === 'file' ? 'the clusters file' : 'the API'],
    ['Updated', cluster.updatedAt],
  ]);
}

export const clusterColumns: Column<Cluster>[] = [
  { header: 'CLUSTER', value: (c) => c.id },
  { header: 'BACKEND', value: (c) => c.backend },
  { header: 'STATE', value: (c) => c.state },
  { header: 'HEARTBEAT', value: (c) => c.lastHeartbeat },
  { header: 'MANAGED BY', value: (c) => c.managedBy },
  { header: 'REASON', value: (c) => c.reason },
];
