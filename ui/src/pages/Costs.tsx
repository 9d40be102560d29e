/** Spend per day grouped by job, user, label or cluster; the top spenders with their share; CSV of what is shown. */
import type { ChartConfiguration } from 'chart.js';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { ErrorNote, Figure, Figures, Loading, PageHeader, Select, useTitle } from '../components';
import { withQuery } from '../lib/api';
import { download, toCsv } from '../lib/csv';
import { formatMoney, formatNumber, formatPercent } from '../lib/format';
import { markPainted } from '../lib/perf';
import type { CostGroupBy, CostReport } from '../lib/types';
import { useApi } from '../lib/use-api';
import { SERIES_COLORS, useChart } from '../lib/use-chart';
import { useUrlState } from '../lib/url-state';

type Measure = 'cost' | 'coreHours' | 'applicationHours';

const GROUPS: readonly (readonly [CostGroupBy, string])[] = [
  ['job', 'Job'],
  ['user', 'User'],
  ['label', 'Label'],
  ['cluster', 'Cluster'],
];
const RANGES = [
  ['7', 'Last 7 days'],
  ['30', 'Last 30 days'],
  ['90', 'Last 90 days'],
] as const;
const MEASURES: readonly (readonly [Measure, string])[] = [
  ['cost', 'Cost'],
  ['coreHours', 'Core-hours'],
  ['applicationHours', 'Application-hours'],
];

const DAY_MS = 86_400_000;

/** Whole UTC days ending with today: [today - days + 1, tomorrow). */
function dayRange(days: number, now = Date.now()): { from: string; to: string } {
  const tomorrow = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  return { from: new Date(tomorrow - days * DAY_MS).toISOString(), to: new Date(tomorrow).toISOString() };
}

const groupName = (key: string) => (key === '' ? '(none)' : key);

function linkOf(groupBy: CostGroupBy, key: string): string | undefined {
  if (key === '' || key === '(other)') return undefined;
  if (groupBy === 'job') return `/jobs/${encodeURIComponent(key)}`;
  if (groupBy === 'cluster') return `/clusters/${encodeURIComponent(key)}`;
  if (groupBy === 'user') return `/applications?user=${encodeURIComponent(key)}`;
  return undefined;
}

function CostChart({ report, measure }: { report: CostReport; measure: Measure }) {
  const config = useMemo((): ChartConfiguration<'bar'> => {
    // one stacked series per group, in the order of the top table, then the rest as they come
    const keys: string[] = report.top.map((g) => g.key);
    for (const day of report.days) for (const g of day.groups) if (!keys.includes(g.key)) keys.push(g.key);
    return {
      type: 'bar',
      data: {
        labels: report.days.map((d) => d.day),
        datasets: keys.map((key, i) => ({
          label: groupName(key),
          data: report.days.map((d) => d.groups.find((g) => g.key === key)?.[measure] ?? 0),
          backgroundColor: SERIES_COLORS[i % SERIES_COLORS.length],
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true },
          y: {
            stacked: true,
            beginAtZero: true,
            ticks: {
              callback: (v) => (measure === 'cost' ? formatMoney(Number(v), report.currency) : formatNumber(Number(v))),
            },
          },
        },
      },
    };
  }, [report, measure]);
  const { canvas } = useChart(config);
  return (
    <div className="chart chart-tall">
      <canvas
        ref={canvas}
        role="img"
        data-days={report.days.length}
        aria-label={`${measure} per day over ${report.days.length} days, grouped by ${report.groupBy}`}
      />
    </div>
  );
}

export function CostsPage() {
  useTitle('Costs');
  const { get, update } = useUrlState();
  const days = Number(get('days', '30')) || 30;
  const groupBy = (get('groupBy', 'job') as CostGroupBy) || 'job';
  const labelKey = get('labelKey');
  const measure = (get('measure', 'cost') as Measure) || 'cost';
  const [labelDraft, setLabelDraft] = useState(labelKey);
  useEffect(() => setLabelDraft(labelKey), [labelKey]);
  const range = useMemo(() => dayRange(days), [days]);
  const needsLabel = groupBy === 'label' && !labelKey;
  const report = useApi<CostReport>(
    needsLabel
      ? undefined
      : withQuery('/api/v1/costs', {
          ...range,
          groupBy,
          labelKey: groupBy === 'label' ? labelKey : undefined,
          top: 10,
        }),
  );
  useEffect(() => {
    if (report.data) markPainted('costs');
  }, [report.data]);

  const r = report.data;
  const csv = () => {
    if (!r) return;
    const rows = r.days.flatMap((d) =>
      d.groups.map((g) => [d.day, groupName(g.key), g.cost, g.coreHours, g.applicationHours, g.applications] as const),
    );
    const header = [
      'day',
      r.groupBy === 'label' ? `label ${r.labelKey ?? ''}`.trim() : r.groupBy,
      `cost${r.currency ? ` (${r.currency})` : ''}`,
      'core-hours',
      'application-hours',
      'applications',
    ];
    download(
      `sparkplane-costs-${r.groupBy}-${r.from.slice(0, 10)}-${r.to.slice(0, 10)}.csv`,
      toCsv(header, rows),
      'text/csv',
    );
  };
  const applyLabel = (event: FormEvent) => {
    event.preventDefault();
    update({ labelKey: labelDraft });
  };

  return (
    <section aria-labelledby="page-title">
      <PageHeader title={<span id="page-title">Costs</span>}>
        <button type="button" onClick={csv} disabled={!r}>
          Download CSV
        </button>
      </PageHeader>
      <div className="filters">
        <Select
          id="range"
          label="Range"
          value={String(days)}
          options={RANGES}
          onChange={(v) => update({ days: v === '30' ? undefined : v })}
        />
        <Select
          id="group-by"
          label="Group by"
          value={groupBy}
          options={GROUPS}
          onChange={(v) => update({ groupBy: v === 'job' ? undefined : v })}
        />
        <Select
          id="measure"
          label="Chart"
          value={measure}
          options={MEASURES}
          onChange={(v) => update({ measure: v === 'cost' ? undefined : v })}
        />
        {groupBy === 'label' && (
          <form onSubmit={applyLabel} className="inline-form" aria-label="Label key">
            <div className="field">
              <label htmlFor="label-key">Label key</label>
              <input
                id="label-key"
                value={labelDraft}
                onChange={(e) => setLabelDraft(e.target.value)}
                placeholder="team"
              />
            </div>
            <button type="submit">Apply</button>
          </form>
        )}
      </div>
      {needsLabel && <p className="note">Name the label whose values are the groups (e.g. team).</p>}
      {report.error && <ErrorNote error={report.error} what="the cost report" />}
      {!r && report.loading && <Loading what="the cost report" />}
      {r && (
        <>
          <Figures>
            <Figure label="Cost" value={formatMoney(r.total.cost, r.currency)} />
            <Figure label="Core-hours" value={formatNumber(r.total.coreHours, 3)} />
            <Figure label="Application-hours" value={formatNumber(r.total.applicationHours, 3)} />
            <Figure label="Applications" value={formatNumber(r.total.applications, 0)} />
          </Figures>
          <section aria-labelledby="chart-title" className="card">
            <h2 id="chart-title">
              {MEASURES.find(([k]) => k === measure)?.[1]} per day by {groupBy}
            </h2>
            <CostChart report={r} measure={measure} />
          </section>
          <section aria-labelledby="top-title" className="card">
            <h2 id="top-title">Top spend</h2>
            <div className="table-wrap">
              <table className="data">
                <thead>
                  <tr>
                    <th scope="col">{GROUPS.find(([k]) => k === groupBy)?.[1]}</th>
                    <th scope="col" className="num">
                      Cost
                    </th>
                    <th scope="col" className="num">
                      Share
                    </th>
                    <th scope="col" className="num">
                      Core-hours
                    </th>
                    <th scope="col" className="num">
                      Application-hours
                    </th>
                    <th scope="col" className="num">
                      Applications
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {r.top.length === 0 && (
                    <tr>
                      <td colSpan={6} className="empty">
                        No application ended in this range.
                      </td>
                    </tr>
                  )}
                  {r.top.map((g) => {
                    const link = linkOf(r.groupBy, g.key);
                    return (
                      <tr key={g.key} data-group={g.key}>
                        <td>{link ? <Link to={link}>{groupName(g.key)}</Link> : groupName(g.key)}</td>
                        <td className="num">{formatMoney(g.cost, r.currency)}</td>
                        <td className="num">{formatPercent(g.share)}</td>
                        <td className="num">{formatNumber(g.coreHours, 3)}</td>
                        <td className="num">{formatNumber(g.applicationHours, 3)}</td>
                        <td className="num">{g.applications}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </section>
  );
}
