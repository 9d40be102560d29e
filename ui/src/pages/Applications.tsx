/** Every application across the clusters: filters, sorting and paging in the URL, kill, live rows. */
import { type FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useConfirm } from '../confirm';
import { PageHeader, Select, useTitle } from '../components';
import { ApiError, request, withQuery } from '../lib/api';
import { coresOf, durationOf, isActive } from '../lib/apps';
import { useSession } from '../lib/auth';
import { useApplicationChanges } from '../lib/changes';
import { coreHours, formatDuration, formatMoney, formatNumber, formatTime } from '../lib/format';
import { markPainted } from '../lib/perf';
import type { Application, Cluster, Page } from '../lib/types';
import { useApi } from '../lib/use-api';
import { rangeStart, usePaging, useUrlState } from '../lib/url-state';
import { ClusterCell, type Column, EndCell, PagedTable, StateCell } from '../paged-table';

const APPLICATION_COLUMNS: Column[] = [
  { header: 'Application' },
  { header: 'Cluster' },
  { header: 'State' },
  { header: 'User' },
  { header: 'Started' },
  { header: 'Duration', numeric: true },
  { header: 'Cores now', numeric: true },
  { header: 'Core-hours', numeric: true },
  { header: 'Cost', numeric: true },
];

const STATES = [
  ['', 'Any state'],
  ['RUNNING', 'Running'],
  ['PENDING', 'Pending'],
  ['NEW', 'New'],
  ['COMPLETED', 'Completed'],
  ['COMPLETED_WITH_WARNINGS', 'Completed with warnings'],
  ['FAILED', 'Failed'],
  ['KILLED', 'Killed'],
  ['TIMED_OUT', 'Timed out'],
] as const;

/** The type filter's choices; `interactive` asks the API for both kinds that belong to no job. */
const TYPES = [
  ['', 'Any type'],
  ['batch', 'Batch'],
  ['interactive', 'Notebook / session'],
  ['notebook', 'Notebook'],
  ['session', 'Session'],
] as const;

function typesOf(choice: string): string[] | undefined {
  if (choice === 'interactive') return ['session', 'notebook'];
  return choice ? [choice] : undefined;
}

const RANGES = [
  ['', 'Any time'],
  ['1h', 'Last hour'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
] as const;

/** Sort choices as `key:order` of the API's sort and order. */
const SORTS = [
  ['createdAt:desc', 'Newest first'],
  ['createdAt:asc', 'Oldest first'],
  ['startedAt:desc', 'Started, latest first'],
  ['duration:desc', 'Longest first'],
  ['cost:desc', 'Most expensive first'],
  ['coreHours:desc', 'Most core-hours first'],
] as const;

const LIMITS = [
  ['10', '10 per page'],
  ['25', '25 per page'],
  ['50', '50 per page'],
  ['100', '100 per page'],
] as const;

const TEXT_FILTERS = [
  ['job', 'Job'],
  ['user', 'User'],
  ['label', 'Label (key:value)'],
  ['q', 'Search ids'],
] as const;

type TextFilter = (typeof TEXT_FILTERS)[number][0];

function TextFilters({
  values,
  onApply,
}: {
  values: Record<TextFilter, string>;
  onApply: (v: Record<TextFilter, string>) => void;
}) {
  const [draft, setDraft] = useState(values);
  useEffect(() => setDraft(values), [values]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  return (
    <form className="filters-text" onSubmit={submit} aria-label="Text filters">
      {TEXT_FILTERS.map(([key, label]) => (
        <div className="field" key={key}>
          <label htmlFor={`filter-${key}`}>{label}</label>
          <input
            id={`filter-${key}`}
            type={key === 'q' ? 'search' : 'text'}
            value={draft[key]}
            onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
          />
        </div>
      ))}
      <button type="submit">Apply</button>
    </form>
  );
}

export function ApplicationsPage() {
  useTitle('Applications');
  const session = useSession();
  const { get, update, params } = useUrlState();
  const paging = usePaging();
  const clusters = useApi<{ items: Cluster[] }>('/api/v1/clusters');
  const [sortKey, order] = (get('sort', 'createdAt:desc') as string).split(':') as [string, string | undefined];
  const range = get('range');
  // fixed when the range is chosen (not at every render), so that polling re-reads the same rows
  const from = useMemo(() => rangeStart(range), [range]);
  const label = get('label');
  const path = withQuery('/api/v1/applications', {
    clusterId: get('cluster') || undefined,
    jobId: get('job') || undefined,
    state: get('state') || undefined,
    type: typesOf(get('type')),
    userId: get('user') || undefined,
    label: label || undefined,
    q: get('q') || undefined,
    from,
    // the API's default order is left out of the request
    sort: sortKey !== 'createdAt' ? sortKey : undefined,
    order: order && order !== 'desc' ? order : undefined,
    limit: get('limit', '25'),
    cursor: paging.cursor,
  });
  const page = useApi<Page<Application>>(path);
  const [actionError, setActionError] = useState<string>();
  const { confirm, dialog } = useConfirm();

  useEffect(() => {
    if (page.data) markPainted('applications');
  }, [page.data]);

  const replace = useCallback(
    (app: Application) =>
      page.set((current) =>
        current && current.items.some((a) => a.id === app.id)
          ? { ...current, items: current.items.map((a) => (a.id === app.id ? app : a)) }
          : current,
      ),
    [page],
  );
  const live = useApplicationChanges({ clusterId: get('cluster') || undefined }, replace, page.reload);

  const kill = async (app: Application) => {
    if (!(await confirm(`Kill ${app.id}? Its driver and executors stop at once.`, 'Kill'))) return;
    setActionError(undefined);
    try {
      const response = await request(`/api/v1/applications/${encodeURIComponent(app.id)}`, { method: 'DELETE' });
      replace((await response.json()) as Application);
    } catch (e) {
      setActionError(`Could not kill ${app.id}: ${e instanceof ApiError ? e.message : String(e)}`);
    }
  };

  const canKill = session.can('applications:kill');
  const textValues = useMemo(() => ({ job: get('job'), user: get('user'), label: get('label'), q: get('q') }), [get]);

  return (
    <section aria-labelledby="page-title">
      <PageHeader title={<span id="page-title">Applications</span>}>
        <span className="live" role="status" aria-live="polite">
          {live === 'stream'
            ? 'Live: streaming changes'
            : live === 'polling'
              ? 'Live: refreshing every 5 s'
              : 'Connecting…'}
        </span>
      </PageHeader>
      <div className="filters">
        <Select
          id="filter-cluster"
          label="Cluster"
          value={get('cluster')}
          options={[
            ['', 'All clusters'],
            ...(clusters.data?.items ?? []).map((c) => [c.id, c.displayName ?? c.id] as const),
          ]}
          onChange={(v) => update({ cluster: v })}
        />
        <Select
          id="filter-state"
          label="State"
          value={get('state')}
          options={STATES}
          onChange={(v) => update({ state: v })}
        />
        <Select
          id="filter-type"
          label="Type"
          value={get('type')}
          options={TYPES}
          onChange={(v) => update({ type: v })}
        />
        <Select
          id="filter-range"
          label="Created"
          value={range}
          options={RANGES}
          onChange={(v) => update({ range: v })}
        />
        <Select
          id="sort"
          label="Sort"
          value={get('sort', 'createdAt:desc')}
          options={SORTS}
          onChange={(v) => update({ sort: v === 'createdAt:desc' ? undefined : v })}
        />
        <Select
          id="limit"
          label="Page size"
          value={get('limit', '25')}
          options={LIMITS}
          onChange={(v) => update({ limit: v === '25' ? undefined : v })}
        />
      </div>
      <TextFilters values={textValues} onApply={(v) => update(v)} />
      {dialog}
      {actionError && (
        <p className="note note-error" role="alert">
          {actionError}
        </p>
      )}
      <PagedTable
        list={page}
        what="applications"
        caption={`Applications, ${SORTS.find(([k]) => k === get('sort', 'createdAt:desc'))?.[1]}`}
        columns={[...APPLICATION_COLUMNS, canKill && { header: 'Actions', hidden: true }]}
        empty={`No application matches ${params.toString() ? 'these filters' : 'yet'}.`}
        paging={paging}
        row={(app) => (
          <tr key={app.id} data-app-id={app.id} data-state={app.state}>
            <td>
              <Link to={`/applications/${encodeURIComponent(app.id)}`}>{app.id}</Link>
              <div className="sub">
                {app.jobId !== undefined ? (
                  <Link to={`/jobs/${encodeURIComponent(app.jobId)}`}>{app.jobId}</Link>
                ) : (
                  // sessions and notebooks belong to no job: say what it is instead
                  <span data-type={app.type}>{app.type} · no job</span>
                )}
              </div>
            </td>
            <ClusterCell clusterId={app.clusterId} />
            <StateCell state={app.state} reason={app.pendingReason} />
            <td>{app.userId ?? '—'}</td>
            <td>{formatTime(app.startedAt)}</td>
            <td className="num">{formatDuration(durationOf(app))}</td>
            <td className="num">{app.state === 'RUNNING' ? coresOf(app) : '—'}</td>
            <td className="num">{formatNumber(coreHours(app.metrics?.executorCoreSeconds), 3)}</td>
            <td className="num">{formatMoney(app.metrics?.cost?.total, app.metrics?.cost?.currency)}</td>
            <EndCell allowed={canKill} active={isActive(app)} verb="Kill" id={app.id} onEnd={() => void kill(app)} />
          </tr>
        )}
      />
    </section>
  );
}
