/**
 * The Application page's views of the run's timeline: jobs and stages as floating bars over time,
 * executor cores allocated against busy, and each executor's memory peaks against its request.
 */
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import { useMemo } from 'react';
import { formatBytes, formatDuration, wrap } from '../lib/format';
import type { ApplicationTimeline } from '../lib/types';
import { SERIES_COLORS, useChart } from '../lib/use-chart';

/** Rows of the jobs-and-stages chart at most: the latest are kept, the chart stays readable. */
const MAX_JOBS = 20;
const MAX_STAGES = 40;
/** Characters of a job or stage name on the axis. */
const LABEL_CHARS = 48;

/** Seconds since the run started, for the time axes. */
const seconds = (t: ApplicationTimeline, atMs: number) => (atMs - (t.startedAt ?? t.cores[0]?.at ?? atMs)) / 1000;

/** Where the log ends so far: bars still running reach it. */
function endOf(t: ApplicationTimeline): number {
  const last = t.cores.at(-1);
  return t.endedAt ?? (last ? last.at + t.stepMs : (t.startedAt ?? 0));
}

type Bar = [number, number] | null;

function JobsAndStages({ timeline }: { timeline: ApplicationTimeline }) {
  const { config, jobs, stages } = useMemo(() => {
    const jobs = timeline.jobs.slice(-MAX_JOBS);
    const stages = timeline.stages.filter((s) => s.submittedAt !== undefined).slice(-MAX_STAGES);
    const end = endOf(timeline);
    // the axis shows the start of a long name (Spark's call sites run to hundreds of characters);
    // the tooltip shows it whole
    const names = [
      ...jobs.map((j) => `Job ${j.jobId}: ${j.description}`),
      ...stages.map((s) => `Stage ${s.stageId}.${s.attemptId}: ${s.name}`),
    ];
    const labels = names.map((name) => (name.length > LABEL_CHARS ? `${name.slice(0, LABEL_CHARS - 1)}…` : name));
    const bar = (from: number, to: number | undefined): Bar => [seconds(timeline, from), seconds(timeline, to ?? end)];
    const none = (n: number): Bar[] => Array.from({ length: n }, () => null);
    const config: ChartConfiguration<'bar', Bar[]> = {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            label: 'Jobs',
            data: [...jobs.map((j) => bar(j.submittedAt, j.completedAt)), ...none(stages.length)],
            backgroundColor: SERIES_COLORS[0],
          },
          {
            label: 'Stages',
            data: [...none(jobs.length), ...stages.map((s) => bar(s.submittedAt!, s.completedAt))],
            backgroundColor: stages.map((s) => (s.status === 'failed' ? SERIES_COLORS[5]! : SERIES_COLORS[1]!)),
          },
        ],
      },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: {
            type: 'linear',
            // the whole run, so that bars sit where they were in it
            min: 0,
            max: Math.max(0, seconds(timeline, end)),
            title: { display: true, text: 'Seconds since the start' },
          },
          y: { stacked: true, ticks: { autoSkip: false, font: { size: 11 } } },
        },
        plugins: {
          tooltip: {
            callbacks: {
              title: (items: TooltipItem<'bar'>[]) => wrap(names[items[0]?.dataIndex ?? 0] ?? ''),
              label: (item: TooltipItem<'bar'>) => {
                const row = item.dataIndex;
                if (row < jobs.length) {
                  const j = jobs[row]!;
                  return `${j.result}, ${formatDuration((j.completedAt ?? end) - j.submittedAt)}`;
                }
                const s = stages[row - jobs.length]!;
                return `${s.status}, ${s.completedTasks}/${s.tasks} tasks (${s.failedTasks} failed), read ${formatBytes(s.inputBytes + s.shuffleReadBytes)}, spill ${formatBytes(s.spillBytes)}`;
              },
            },
          },
        },
      },
    };
    return { config, jobs, stages };
  }, [timeline]);
  const { canvas } = useChart(config);
  const rows = jobs.length + stages.length;
  if (rows === 0) return <p className="note">No job has started yet.</p>;
  return (
    <div className="chart" style={{ height: `${Math.max(160, 60 + rows * 18)}px` }}>
      <canvas
        ref={canvas}
        role="img"
        data-testid="timeline-chart"
        data-jobs={jobs.length}
        data-stages={stages.length}
        aria-label={`Timeline of ${jobs.length} job(s) and ${stages.length} stage(s)${timeline.jobs.length > jobs.length || timeline.stages.length > stages.length ? ' (the latest)' : ''}`}
      />
    </div>
  );
}

function Cores({ timeline }: { timeline: ApplicationTimeline }) {
  const config = useMemo((): ChartConfiguration<'line'> => {
    const labels = timeline.cores.map((s) => `${seconds(timeline, s.at).toFixed(1)} s`);
    return {
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            label: 'Cores allocated',
            data: timeline.cores.map((s) => s.allocated),
            borderColor: SERIES_COLORS[7],
            backgroundColor: SERIES_COLORS[7],
            stepped: true,
            pointRadius: 0,
          },
          {
            label: 'Cores busy',
            data: timeline.cores.map((s) => s.busy),
            borderColor: SERIES_COLORS[2],
            backgroundColor: `${SERIES_COLORS[2]}55`,
            fill: 'origin',
            pointRadius: 0,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { ticks: { maxTicksLimit: 12 } },
          y: { beginAtZero: true, title: { display: true, text: 'Cores' } },
        },
      },
    };
  }, [timeline]);
  const { canvas } = useChart(config);
  const busy = timeline.cores.reduce((sum, s) => sum + s.busy, 0);
  const allocated = timeline.cores.reduce((sum, s) => sum + s.allocated, 0);
  return (
    <div className="chart">
      <canvas
        ref={canvas}
        role="img"
        data-testid="cores-chart"
        data-steps={timeline.cores.length}
        aria-label={`Executor cores allocated and busy over ${timeline.cores.length} steps of ${formatDuration(timeline.stepMs)}; busy ${allocated > 0 ? Math.round((busy / allocated) * 100) : 0} % of the allocated core time`}
      />
    </div>
  );
}

function Memory({ timeline }: { timeline: ApplicationTimeline }) {
  const executors = timeline.executors;
  const config = useMemo((): ChartConfiguration<'bar'> => {
    const part = (label: string, color: string, pick: (p: ApplicationTimeline['executors'][number]) => number) => ({
      label,
      data: executors.map(pick),
      backgroundColor: color,
      stack: 'peak',
    });
    return {
      type: 'bar',
      data: {
        labels: executors.map((e) => (e.executorId === 'driver' ? 'driver' : `executor ${e.executorId}`)),
        datasets: [
          part('JVM heap', SERIES_COLORS[0]!, (e) => e.peaks.jvmHeapBytes),
          part('JVM off-heap', SERIES_COLORS[3]!, (e) => e.peaks.jvmOffHeapBytes),
          part('Python', SERIES_COLORS[4]!, (e) => e.peaks.pythonBytes),
          part('Other', SERIES_COLORS[6]!, (e) => e.peaks.otherBytes),
          {
            label: 'Requested',
            data: executors.map((e) => e.requestedBytes),
            backgroundColor: SERIES_COLORS[7],
            stack: 'requested',
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { callback: (v) => formatBytes(Number(v)) } },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item: TooltipItem<'bar'>) => `${item.dataset.label}: ${formatBytes(item.parsed.y ?? 0)}`,
            },
          },
        },
      },
    };
  }, [executors]);
  const { canvas } = useChart(config);
  if (executors.length === 0) return <p className="note">No executor has registered yet.</p>;
  return (
    <div className="chart">
      <canvas
        ref={canvas}
        role="img"
        data-testid="memory-chart"
        data-executors={executors.length}
        aria-label={`Peak memory of ${executors.length} executor(s) by kind (JVM heap, off-heap, Python, other) beside what each requested`}
      />
    </div>
  );
}

export function TimelineViews({ timeline }: { timeline: ApplicationTimeline }) {
  return (
    <>
      <section aria-labelledby="timeline-title" className="card">
        <h2 id="timeline-title">Timeline</h2>
        <p className="note">
          {timeline.live ? 'Live: read from the event log as Spark writes it. ' : ''}
          Jobs and stages over time; below, the executor cores allocated and those busy with tasks (the gap is idle).
        </p>
        <JobsAndStages timeline={timeline} />
        <Cores timeline={timeline} />
      </section>
      <section aria-labelledby="memory-title" className="card">
        <h2 id="memory-title">Executor memory</h2>
        <p className="note">
          The peak of each kind of memory over the run (each kind at its own peak), beside what the executor's pod
          requested (memory + overhead, + PySpark memory and off-heap when set).
        </p>
        <Memory timeline={timeline} />
      </section>
    </>
  );
}
