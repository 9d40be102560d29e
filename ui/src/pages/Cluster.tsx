/** One cluster: spend and data over 24 h / 7 d / 30 d, its health, applications per state, and charts. */
import type { ChartConfiguration } from 'chart.js';
import { useEffect, useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorNote, Figure, Figures, Loading, PageHeader, Select, StateBadge, useTitle } from '../components';
import { formatBytes, formatMoney, formatNumber, formatNodes, formatPercent, formatTime } from '../lib/format';
import { markPainted } from '../lib/perf';
import type { Cluster, ClusterSummary, SummaryWindow } from '../lib/types';
import { useApi } from '../lib/use-api';
import { SERIES_COLORS, useChart } from '../lib/use-chart';
import { useUrlState } from '../lib/url-state';

const WINDOWS: readonly (readonly [SummaryWindow, string])[] = [
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
];

function EndedChart({ summary }: { summary: ClusterSummary }) {
  const config = useMemo((): ChartConfiguration<'bar'> => {
    const series = [
      ['completed', 'Completed', SERIES_COLORS[2]!],
      ['failed', 'Failed', SERIES_COLORS[5]!],
      ['killed', 'Killed', SERIES_COLORS[1]!],
      ['timedOut', 'Timed out', SERIES_COLORS[7]!],
    ] as const;
    return {
      type: 'bar',
      data: {
        labels: summary.endedPerDay.map((d) => d.day),
        datasets: series.map(([key, label, color]) => ({
          label,
          data: summary.endedPerDay.map((d) => d[key]),
          backgroundColor: color,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
  }, [summary]);
  const { canvas } = useChart(config);
  return (
    <div className="chart">
      <canvas
        ref={canvas}
        role="img"
        aria-label={`Applications ended per day by final state, ${summary.endedPerDay.length} days`}
      />
    </div>
  );
}

function ActivityChart({ summary }: { summary: ClusterSummary }) {
  const config = useMemo((): ChartConfiguration<'line'> => {
    const short = summary.window === '24h';
    const labels = summary.activity.map((p) =>
      new Date(p.at).toLocaleString(
        undefined,
        short ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric', hour: '2-digit' },
      ),
    );
    return {
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            label: 'Running',
            data: summary.activity.map((p) => p.running),
            borderColor: SERIES_COLORS[0],
            backgroundColor: SERIES_COLORS[0],
            yAxisID: 'y',
            pointRadius: 0,
            stepped: true,
          },
          {
            label: 'Pending',
            data: summary.activity.map((p) => p.pending),
            borderColor: SERIES_COLORS[4],
            backgroundColor: SERIES_COLORS[4],
            yAxisID: 'y',
            pointRadius: 0,
            stepped: true,
          },
          {
            label: 'Cores in use',
            data: summary.activity.map((p) => p.cores),
            borderColor: SERIES_COLORS[3],
            backgroundColor: SERIES_COLORS[3],
            yAxisID: 'y1',
            pointRadius: 0,
            stepped: true,
            borderDash: [4, 3],
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          y: { beginAtZero: true, title: { display: true, text: 'Applications' }, ticks: { precision: 0 } },
          y1: {
            beginAtZero: true,
            position: 'right',
            grid: { drawOnChartArea: false },
            title: { display: true, text: 'Cores' },
          },
        },
      },
    };
  }, [summary]);
  const { canvas } = useChart(config);
  return (
    <div className="chart">
      <canvas
        ref={canvas}
        role="img"
        aria-label="Running and pending applications and the cores they hold over the window"
      />
    </div>
  );
}

export function ClusterPage() {
  const { clusterId = '' } = useParams();
  useTitle(clusterId);
  const { get, update } = useUrlState();
  const summaryWindow = (get('window', '24h') as SummaryWindow) || '24h';
  const base = `/api/v1/clusters/${encodeURIComponent(clusterId)}`;
  const cluster = useApi<Cluster>(base);
  const summary = useApi<ClusterSummary>(`${base}/summary?window=${summaryWindow}`);
  useEffect(() => {
    if (summary.data) markPainted('cluster');
  }, [summary.data]);

  if (cluster.error) return <ErrorNote error={cluster.error} what={`cluster ${clusterId}`} />;
  if (!cluster.data) return <Loading what={`cluster ${clusterId}`} />;
  const c = cluster.data;
  const s = summary.data;

  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title={
          <span id="page-title">
            {c.displayName ?? c.id} <StateBadge state={c.state} />
          </span>
        }
      >
        <Select
          id="window"
          label="Window"
          value={summaryWindow}
          options={WINDOWS}
          onChange={(v) => update({ window: v })}
        />
      </PageHeader>
      {summary.error && <ErrorNote error={summary.error} what="the summary" />}
      <Figures>
        <Figure label="Cost" value={formatMoney(s?.totals.cost, s?.currency)} />
        <Figure label="Efficiency" value={formatPercent(s?.totals.efficiency)} />
        <Figure label="Core-hours" value={formatNumber(s?.totals.coreHours, 3)} />
        <Figure label="Data read" value={formatBytes(s?.totals.inputBytes)} />
        <Figure label="Data written" value={formatBytes(s?.totals.outputBytes)} />
        <Figure label="Applications ended" value={formatNumber(s?.totals.applications, 0)} />
      </Figures>
      <div className="columns">
        <section aria-labelledby="info-title" className="card">
          <h2 id="info-title">Cluster</h2>
          <dl className="info">
            <dt>Id</dt>
            <dd>{c.id}</dd>
            <dt>Back-end</dt>
            <dd>{c.backend}</dd>
            <dt>Region</dt>
            <dd>{c.region ?? '—'}</dd>
            <dt>State</dt>
            <dd>
              {c.state}
              {c.reason && <div className="sub">{c.reason}</div>}
            </dd>
            <dt>Last heartbeat</dt>
            <dd>{formatTime(c.lastHeartbeat)}</dd>
            <dt>Nodes</dt>
            <dd>{formatNodes(c.nodes)}</dd>
            <dt>Kubernetes</dt>
            <dd>{c.kubernetesVersion ?? '—'}</dd>
            <dt>spark-operator</dt>
            <dd>{c.operatorVersion ?? '—'}</dd>
            <dt>Managed by</dt>
            <dd>{c.managedBy === 'file' ? 'the clusters file' : 'the API'}</dd>
            <dt>Created</dt>
            <dd>{formatTime(c.createdAt)}</dd>
          </dl>
        </section>
        <section aria-labelledby="states-title" className="card">
          <h2 id="states-title">Applications per state</h2>
          {s ? (
            <table className="data compact">
              <thead>
                <tr>
                  <th scope="col">State</th>
                  <th scope="col" className="num">
                    Applications
                  </th>
                </tr>
              </thead>
              <tbody>
                {s.countsByState.map((row) => (
                  <tr key={row.state}>
                    <td>
                      <StateBadge state={row.state} />
                    </td>
                    <td className="num">
                      <Link to={`/applications?cluster=${encodeURIComponent(c.id)}&state=${row.state}`}>
                        {row.count}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Loading what="counts" />
          )}
        </section>
      </div>
      {s && (
        <>
          <section aria-labelledby="ended-title" className="card">
            <h2 id="ended-title">Applications ended per day</h2>
            <EndedChart summary={s} />
          </section>
          <section aria-labelledby="activity-title" className="card">
            <h2 id="activity-title">Running, pending and cores in use</h2>
            <ActivityChart summary={s} />
          </section>
        </>
      )}
    </section>
  );
}
