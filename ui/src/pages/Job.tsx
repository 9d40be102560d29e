/** One job: medians of its last runs, a chart of two figures over its runs, its executions and its tuning. */
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import { useEffect, useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorNote, Figure, Figures, Loading, PageHeader, Select, StateBadge, useTitle } from '../components';
import { durationOf } from '../lib/apps';
import {
  formatBytes,
  formatConfigValue,
  formatDuration,
  formatMoney,
  formatNumber,
  formatPercent,
  formatTime,
} from '../lib/format';
import { markPainted } from '../lib/perf';
import type { ConfigChange, JobDetail, JobRunPoint, JobStatistics, Recommendation } from '../lib/types';
import { useApi } from '../lib/use-api';
import { useChart, SERIES_COLORS } from '../lib/use-chart';
import { useUrlState } from '../lib/url-state';

type Metric = 'cost' | 'durationMs' | 'inputBytes' | 'outputBytes' | 'efficiency';

const METRICS: readonly (readonly [Metric, string])[] = [
  ['cost', 'Cost'],
  ['durationMs', 'Duration'],
  ['inputBytes', 'Data read'],
  ['outputBytes', 'Data written'],
  ['efficiency', 'Efficiency'],
];

const FORMAT: Record<Metric, (v: number | undefined) => string> = {
  cost: (v) => formatMoney(v),
  durationMs: formatDuration,
  inputBytes: formatBytes,
  outputBytes: formatBytes,
  efficiency: formatPercent,
};

/** Axis ticks: three significant digits, so that close values stay apart (the tooltip has the exact ones). */
const TICK: Record<Metric, (v: number) => string> = {
  cost: (v) => v.toPrecision(3),
  durationMs: (v) => `${(v / 1000).toPrecision(3)} s`,
  inputBytes: (v) => formatBytes(v),
  outputBytes: (v) => formatBytes(v),
  efficiency: (v) => `${(v * 100).toPrecision(3)} %`,
};

const metricName = (m: Metric) => METRICS.find(([k]) => k === m)?.[1] ?? m;

function changeText(c: ConfigChange): string {
  const from = c.from === undefined ? '(unset)' : formatConfigValue(c.pointer, c.from);
  const to = c.to === undefined ? '(unset)' : formatConfigValue(c.pointer, c.to);
  return `${c.pointer}: ${from} → ${to}${c.layer ? ` (${c.layer})` : ''}`;
}

/** A signed relative error, e.g. "+12.0 %": the run took longer (cost more) than predicted. */
const signedPercent = (share: number | undefined) =>
  share === undefined ? '—' : `${share > 0 ? '+' : ''}${formatPercent(share)}`;

/** Each tuned run's prediction beside what it measured, and the job's median error. */
function Predictions({ stats }: { stats: JobStatistics | undefined }) {
  const tuned = (stats?.series ?? []).filter((p) => p.predicted !== undefined).slice(-10);
  return (
    <>
      <h3>Predicted and measured</h3>
      {stats?.predictionError && (
        <p>
          Median error over the last{' '}
          {stats.predictionError.runs === 1
            ? 'successful tuned run'
            : `${stats.predictionError.runs} successful tuned runs`}
          : duration <strong>{formatPercent(stats.predictionError.duration)}</strong>
          {stats.predictionError.cost !== undefined && (
            <>
              , cost <strong>{formatPercent(stats.predictionError.cost)}</strong>
            </>
          )}
          .
        </p>
      )}
      {tuned.length > 0 ? (
        <div className="table-wrap">
          <table className="data">
            <caption>Tuned runs: what the tuner predicted and what the run measured</caption>
            <thead>
              <tr>
                <th scope="col">Application</th>
                <th scope="col" className="num">
                  Predicted duration
                </th>
                <th scope="col" className="num">
                  Measured duration
                </th>
                <th scope="col" className="num">
                  Error
                </th>
                <th scope="col" className="num">
                  Predicted cost
                </th>
                <th scope="col" className="num">
                  Measured cost
                </th>
                <th scope="col" className="num">
                  Error
                </th>
              </tr>
            </thead>
            <tbody>
              {tuned.map((p) => (
                <tr key={p.appId}>
                  <td>
                    <Link to={`/applications/${encodeURIComponent(p.appId)}`}>{p.appId}</Link>
                  </td>
                  <td className="num">{formatDuration(p.predicted!.durationMs)}</td>
                  <td className="num">{formatDuration(p.durationMs)}</td>
                  <td className="num">{signedPercent(p.predicted!.durationError)}</td>
                  <td className="num">{formatMoney(p.predicted!.cost)}</td>
                  <td className="num">{formatMoney(p.cost)}</td>
                  <td className="num">{signedPercent(p.predicted!.costError)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="note">No tuned run measured yet.</p>
      )}
    </>
  );
}

function RunsChart({ series, a, b }: { series: JobRunPoint[]; a: Metric; b: Metric }) {
  const config = useMemo((): ChartConfiguration<'line'> => {
    const changed = series.map((p) => p.configChanges.length > 0);
    const dataset = (metric: Metric, axis: 'y' | 'y1', color: string) => ({
      label: metricName(metric),
      data: series.map((p) => p[metric] ?? null),
      yAxisID: axis,
      borderColor: color,
      backgroundColor: color,
      // runs whose configuration changed are drawn as larger diamonds
      pointStyle: changed.map((c) => (c ? 'rectRot' : 'circle')),
      pointRadius: changed.map((c) => (c ? 7 : 3)),
      spanGaps: true,
    });
    return {
      type: 'line',
      data: {
        labels: series.map((p) => formatTime(p.endedAt)),
        datasets: [dataset(a, 'y', SERIES_COLORS[0]!), dataset(b, 'y1', SERIES_COLORS[1]!)],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          y: {
            position: 'left',
            title: { display: true, text: metricName(a) },
            ticks: { callback: (v) => TICK[a](Number(v)) },
          },
          y1: {
            position: 'right',
            grid: { drawOnChartArea: false },
            title: { display: true, text: metricName(b) },
            ticks: { callback: (v) => TICK[b](Number(v)) },
          },
        },
        plugins: {
          tooltip: {
            callbacks: {
              title: (items: TooltipItem<'line'>[]) => {
                const point = series[items[0]?.dataIndex ?? 0];
                return point ? `${point.appId} (${point.state})` : '';
              },
              label: (item: TooltipItem<'line'>) => {
                const metric = item.datasetIndex === 0 ? a : b;
                return `${metricName(metric)}: ${FORMAT[metric](item.parsed.y ?? undefined)}`;
              },
              afterBody: (items: TooltipItem<'line'>[]) => {
                const point = series[items[0]?.dataIndex ?? 0];
                if (!point || point.configChanges.length === 0) return [];
                return ['Configuration changed:', ...point.configChanges.map(changeText)];
              },
            },
          },
        },
      },
    };
  }, [series, a, b]);
  const { canvas } = useChart(config);
  const changedRuns = series.filter((p) => p.configChanges.length > 0).length;
  return (
    <div className="chart">
      <canvas
        ref={canvas}
        role="img"
        data-points={series.length}
        data-changed-points={changedRuns}
        aria-label={`${metricName(a)} and ${metricName(b)} over ${series.length} runs; ${changedRuns} with a configuration change (diamonds)`}
      />
    </div>
  );
}

function Tuning({
  recommendation,
  stats,
}: {
  recommendation: Recommendation | undefined;
  stats: JobStatistics | undefined;
}) {
  return (
    <section aria-labelledby="tuning-title" className="card">
      <h2 id="tuning-title">Tuning</h2>
      {recommendation ? (
        <>
          <p>
            Mode <strong>{recommendation.mode}</strong>:{' '}
            {recommendation.applied
              ? 'the next run uses this recommendation.'
              : recommendation.mode === 'auto'
                ? 'nothing to change: the next run keeps its tuned configuration.'
                : 'recommended only, not applied.'}
            {recommendation.prediction &&
              ` Expected next run: ${formatDuration(recommendation.prediction.durationSeconds * 1000)}, ${formatMoney(recommendation.prediction.cost)} (${recommendation.prediction.basis}).`}
          </p>
          {recommendation.changes.length > 0 ? (
            <div className="table-wrap">
              <table className="data">
                <caption>Current recommendation</caption>
                <thead>
                  <tr>
                    <th scope="col">Value</th>
                    <th scope="col">From</th>
                    <th scope="col">To</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {recommendation.changes.map((c) => (
                    <tr key={c.pointer}>
                      <td>
                        <code>{c.pointer}</code>
                      </td>
                      <td>{c.from === undefined ? 'Spark default' : formatConfigValue(c.pointer, c.from)}</td>
                      <td>{formatConfigValue(c.pointer, c.to)}</td>
                      <td>{c.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="note">No change recommended.</p>
          )}
          {recommendation.held.length > 0 && (
            <details className="held">
              <summary>Not changed ({recommendation.held.length})</summary>
              <ul>
                {recommendation.held.map((h) => (
                  <li key={h.pointer}>
                    <code>{h.pointer}</code> {h.why}: {h.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {recommendation.notes.length > 0 && (
            <ul className="notes">
              {recommendation.notes.map((n, i) => (
                <li key={i}>{n}</li>
              ))}
            </ul>
          )}
        </>
      ) : (
        <p className="note">No recommendation available.</p>
      )}
      <h3>What tuning saved</h3>
      {stats?.savings ? (
        <p>
          Against the first run (
          <Link to={`/applications/${encodeURIComponent(stats.savings.baselineAppId)}`}>
            {stats.savings.baselineAppId}
          </Link>
          ), the {stats.savings.runs} runs after it saved <strong>{formatMoney(stats.savings.cost)}</strong> and{' '}
          <strong>{formatNumber(stats.savings.coreHours, 3)} core-hours</strong>.
        </p>
      ) : (
        <p className="note">Nothing to compare yet: savings are counted from the first successful priced run.</p>
      )}
      <Predictions stats={stats} />
      <h3>Best known configuration</h3>
      {stats?.bestRun ? (
        <>
          <p>
            The cheapest successful run,{' '}
            <Link to={`/applications/${encodeURIComponent(stats.bestRun.appId)}`}>{stats.bestRun.appId}</Link>, cost{' '}
            {formatMoney(stats.bestRun.cost)}.
          </p>
          <pre className="config-json" tabIndex={0} aria-label="Best known configuration">
            {JSON.stringify(stats.bestRun.config, null, 2)}
          </pre>
        </>
      ) : (
        <p className="note">No successful priced run yet.</p>
      )}
    </section>
  );
}

export function JobPage() {
  const { jobId = '' } = useParams();
  useTitle(jobId);
  const { get, update } = useUrlState();
  const base = `/api/v1/jobs/${encodeURIComponent(jobId)}`;
  const job = useApi<JobDetail>(base);
  const stats = useApi<JobStatistics>(`${base}/statistics`);
  const recommendation = useApi<Recommendation>(`${base}/recommendation`);
  const a = (get('a', 'cost') as Metric) || 'cost';
  const b = (get('b', 'durationMs') as Metric) || 'durationMs';

  useEffect(() => {
    if (stats.data && job.data) markPainted('job');
  }, [stats.data, job.data]);

  if (job.error) return <ErrorNote error={job.error} what={`job ${jobId}`} />;
  if (!job.data) return <Loading what={`job ${jobId}`} />;
  const j = job.data;
  const medians = stats.data?.medians;

  return (
    <section aria-labelledby="page-title">
      <PageHeader title={<span id="page-title">{j.displayName ?? j.id}</span>}>
        <span>
          on <Link to={`/clusters/${encodeURIComponent(j.clusterId)}`}>{j.clusterId}</Link>
          {j.schedule && (
            <>
              {' '}
              · <code>{j.schedule.cron}</code> ({j.schedule.timezone}), next {formatTime(j.nextRunAt)}
            </>
          )}{' '}
          · tuning {j.tuning.mode}
        </span>
      </PageHeader>
      <h2 className="sr-only">Medians</h2>
      <Figures>
        <Figure
          label="Median cost"
          value={formatMoney(medians?.cost)}
          hint={`last ${stats.data?.medianOfRuns ?? 0} runs`}
        />
        <Figure label="Median duration" value={formatDuration(medians?.durationMs)} />
        <Figure label="Median data read" value={formatBytes(medians?.inputBytes)} />
        <Figure label="Median data written" value={formatBytes(medians?.outputBytes)} />
        <Figure label="Median efficiency" value={formatPercent(medians?.efficiency)} />
      </Figures>

      <section aria-labelledby="trend-title" className="card">
        <div className="section-header">
          <h2 id="trend-title">Runs</h2>
          <div className="filters">
            <Select
              id="metric-a"
              label="Left axis"
              value={a}
              options={METRICS}
              onChange={(v) => update({ a: v }, { resetPaging: false })}
            />
            <Select
              id="metric-b"
              label="Right axis"
              value={b}
              options={METRICS}
              onChange={(v) => update({ b: v }, { resetPaging: false })}
            />
          </div>
        </div>
        {stats.error && <ErrorNote error={stats.error} what="the statistics" />}
        {stats.data && stats.data.series.length === 0 && <p className="note">No measured run yet.</p>}
        {stats.data && stats.data.series.length > 0 && <RunsChart series={stats.data.series} a={a} b={b} />}
        <p className="note">Diamonds mark runs whose configuration changed; hover one for the change.</p>
      </section>

      <section aria-labelledby="executions-title" className="card">
        <h2 id="executions-title">Executions</h2>
        <p className="note">
          The {j.executions.length} latest.{' '}
          <Link to={`/applications?job=${encodeURIComponent(j.id)}`}>All of them on the applications page</Link>.
        </p>
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Application</th>
                <th scope="col">State</th>
                <th scope="col">User</th>
                <th scope="col">Started</th>
                <th scope="col" className="num">
                  Duration
                </th>
                <th scope="col" className="num">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {j.executions.map((app) => (
                <tr key={app.id}>
                  <td>
                    <Link to={`/applications/${encodeURIComponent(app.id)}`}>{app.id}</Link>
                  </td>
                  <td>
                    <StateBadge state={app.state} />
                  </td>
                  <td>{app.userId ?? '—'}</td>
                  <td>{formatTime(app.startedAt)}</td>
                  <td className="num">{formatDuration(durationOf(app))}</td>
                  <td className="num">{formatMoney(app.metrics?.cost?.total, app.metrics?.cost?.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <Tuning recommendation={recommendation.data} stats={stats.data} />
    </section>
  );
}
