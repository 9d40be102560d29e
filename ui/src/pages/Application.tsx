/**
 * One application: headline figures, its Spark UI, problems, the timeline and executor memory (live
 * while it runs), info, effective configuration with sources, executors, driver log, Kubernetes events.
 */
import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useConfirm } from '../confirm';
import { ErrorNote, Figure, Figures, Loading, PageHeader, StateBadge, useTitle } from '../components';
import { ApiError, request } from '../lib/api';
import { durationOf, isActive } from '../lib/apps';
import { useSession } from '../lib/auth';
import { useApplicationChanges } from '../lib/changes';
import { configRows, SOURCE_NAMES } from '../lib/config-rows';
import { download } from '../lib/csv';
import {
  coreHours,
  formatBytes,
  formatDuration,
  formatMoney,
  formatNumber,
  formatPercent,
  formatTime,
  formatValue,
} from '../lib/format';
import { markPainted } from '../lib/perf';
import { problemsOf } from '../lib/problems';
import type { Application } from '../lib/types';
import { useApi } from '../lib/use-api';
import { useTimeline } from '../lib/use-timeline';
import { KubernetesEvents } from './ApplicationEvents';
import { TimelineViews } from './ApplicationTimeline';

/** The driver log's tail shown on the page; the download has all of it. */
const LOG_LINES = 400;

function DriverLog({ app }: { app: Application }) {
  const [text, setText] = useState<string>();
  const [error, setError] = useState<string>();
  const path = `/api/v1/applications/${encodeURIComponent(app.id)}/log`;
  const load = useCallback(() => {
    request(path, { headers: { accept: 'text/plain' } })
      .then((r) => r.text())
      .then((t) => {
        setText(t);
        setError(undefined);
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  }, [path]);
  // read again at every change of state (and of the record while it runs)
  useEffect(load, [load, app.state, app.updatedAt]);
  const lines = text?.split('\n') ?? [];
  const tail = lines.slice(-LOG_LINES).join('\n');
  return (
    <section aria-labelledby="log-title" className="card">
      <div className="section-header">
        <h2 id="log-title">Driver log</h2>
        <div className="page-actions">
          <button type="button" onClick={load}>
            Refresh
          </button>
          <button
            type="button"
            disabled={text === undefined}
            onClick={() => download(`${app.id}-driver.log`, text ?? '', 'text/plain')}
          >
            Download driver log
          </button>
        </div>
      </div>
      {error && <p className="note note-error">Could not read the log: {error}</p>}
      {text !== undefined && (
        <>
          {lines.length > LOG_LINES && (
            <p className="note">
              The last {LOG_LINES} of {lines.length} lines; the download has all of them.
            </p>
          )}
          <pre className="log" tabIndex={0} aria-label="Driver log">
            {tail || '(empty)'}
          </pre>
        </>
      )}
    </section>
  );
}

/** The live Spark UI through the runtime's proxy (the session cookie signs it in), or the run in the History Server. */
function SparkUiLinks({ app }: { app: Application }) {
  const { live, history } = app.sparkUi ?? {};
  return (
    <>
      {live && (
        <a className="button-link" href={live} target="_blank" rel="noopener">
          Spark UI
        </a>
      )}
      {history && (
        <a className="button-link" href={history} target="_blank" rel="noopener">
          History Server
        </a>
      )}
    </>
  );
}

function ConfigTable({ app }: { app: Application }) {
  const rows = configRows(app, app.tuningChanges ?? []);
  return (
    <section aria-labelledby="config-title" className="card">
      <h2 id="config-title">Effective configuration</h2>
      <p className="note">
        Layers, lowest first: template, tuning, job config, override; a runtime default is what the runtime adds when no
        layer sets it. Each value names where it came from.
      </p>
      <div className="table-wrap">
        <table className="data config">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
              <th scope="col">Source</th>
              <th scope="col">Tuner's reason</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.pointer} data-pointer={row.pointer}>
                <td>
                  <code>{row.key}</code>
                </td>
                <td className="value">{formatValue(row.value)}</td>
                <td data-source={row.source}>{SOURCE_NAMES[row.source]}</td>
                <td>{row.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Executors({ app }: { app: Application }) {
  const executors = app.metrics?.executors ?? [];
  if (executors.length === 0) return null;
  const asked = app.config.executor?.memory;
  return (
    <section aria-labelledby="executors-title" className="card">
      <h2 id="executors-title">Executors and memory</h2>
      <p className="note">
        Peak JVM memory (heap and off-heap) and resident memory of each executor, against the{' '}
        {asked ? `${asked} asked per executor` : 'memory Spark gave it by default'}.
      </p>
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Executor</th>
              <th scope="col" className="num">
                Cores
              </th>
              <th scope="col">Added</th>
              <th scope="col">Removed</th>
              <th scope="col" className="num">
                Peak JVM
              </th>
              <th scope="col" className="num">
                Peak RSS
              </th>
            </tr>
          </thead>
          <tbody>
            {executors.map((e) => (
              <tr key={e.executorId}>
                <td>{e.executorId}</td>
                <td className="num">{e.cores}</td>
                <td>{formatTime(new Date(e.addedAt).toISOString())}</td>
                <td>
                  {e.removedAt ? formatTime(new Date(e.removedAt).toISOString()) : '—'}
                  {e.removedReason && <div className="sub">{e.removedReason}</div>}
                </td>
                <td className="num">{formatBytes(e.peakJvmMemoryBytes)}</td>
                <td className="num">{formatBytes(e.peakRssBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function ApplicationPage() {
  const { appId = '' } = useParams();
  useTitle(appId);
  const session = useSession();
  const app = useApi<Application>(`/api/v1/applications/${encodeURIComponent(appId)}`);
  const [actionError, setActionError] = useState<string>();
  const { confirm, dialog } = useConfirm();
  const data = app.data;
  const active = data ? isActive(data) : false;
  const timeline = useTimeline(data, active);

  useEffect(() => {
    if (data) markPainted('application');
  }, [data]);

  const onChange = useCallback(
    (changed: Application) => {
      if (changed.id === appId) app.set(() => changed);
    },
    [app, appId],
  );
  // live while it runs; an ended application changes only when its metrics are written, just after
  const live = useApplicationChanges(
    { jobId: data?.jobId, enabled: data !== undefined && (active || !data.metrics) },
    onChange,
    app.reload,
  );

  if (app.error) return <ErrorNote error={app.error} what={`application ${appId}`} />;
  if (!data) return <Loading what={`application ${appId}`} />;

  const m = data.metrics;
  const kill = async () => {
    if (!(await confirm(`Kill ${data.id}? Its driver and executors stop at once.`, 'Kill'))) return;
    try {
      const response = await request(`/api/v1/applications/${encodeURIComponent(data.id)}`, { method: 'DELETE' });
      const killed = (await response.json()) as Application;
      app.set(() => killed);
    } catch (e) {
      setActionError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const problems = problemsOf(data, timeline.data);

  return (
    <section aria-labelledby="page-title">
      {dialog}
      <PageHeader
        title={
          <span id="page-title">
            {data.id} <StateBadge state={data.state} />
          </span>
        }
      >
        {active && (
          <span className="live" role="status">
            {live === 'stream' ? 'Live: streaming changes' : live === 'polling' ? 'Live: refreshing every 5 s' : ''}
          </span>
        )}
        <SparkUiLinks app={data} />
        {active && session.can('applications:kill') && (
          <button type="button" className="danger" onClick={() => void kill()}>
            Kill
          </button>
        )}
      </PageHeader>
      {actionError && (
        <p className="note note-error" role="alert">
          {actionError}
        </p>
      )}
      {(data.state === 'NEW' || data.state === 'PENDING') && (
        <p className="note note-wait" role="status">
          Waiting to start: {data.pendingReason ?? data.stateReason ?? 'queued for its cluster'}
        </p>
      )}
      <Figures>
        <Figure
          label="Cost"
          value={formatMoney(m?.cost?.total, m?.cost?.currency)}
          {...(m?.cost ? { hint: m.cost.method } : {})}
        />
        <Figure label="Core-hours" value={formatNumber(coreHours(m?.executorCoreSeconds), 3)} />
        <Figure label="Data read" value={formatBytes(m?.inputBytes)} />
        <Figure label="Data written" value={formatBytes(m?.outputBytes)} />
        <Figure label="Duration" value={formatDuration(durationOf(data))} />
        <Figure label="Efficiency" value={formatPercent(m?.efficiency)} />
      </Figures>

      <section aria-labelledby="problems-title" className="card">
        <h2 id="problems-title">Problems</h2>
        {problems.length === 0 ? (
          <p className="note">
            {m || timeline.data ? 'None found in the event log.' : 'None known yet: Spark has written no event log.'}
          </p>
        ) : (
          <ul className="problems">
            {problems.map((p, i) => (
              <li key={i} className={`problem problem-${p.severity}`}>
                <strong>{p.title}</strong>
                <span>{p.detail}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      {timeline.data ? (
        <TimelineViews timeline={timeline.data} />
      ) : (
        timeline.error && (
          <section aria-labelledby="timeline-title" className="card">
            <h2 id="timeline-title">Timeline</h2>
            <p className="note">{timeline.error.message}</p>
          </section>
        )
      )}

      <section aria-labelledby="info-title" className="card">
        <h2 id="info-title">Application</h2>
        <dl className="info">
          <dt>Id</dt>
          <dd>{data.id}</dd>
          <dt>Spark application id</dt>
          <dd>{m?.sparkAppId ?? '—'}</dd>
          <dt>Job</dt>
          <dd>
            {data.jobId !== undefined ? (
              <Link to={`/jobs/${encodeURIComponent(data.jobId)}`}>{data.jobId}</Link>
            ) : (
              `none: a ${data.type ?? 'batch'} belongs to no job`
            )}
          </dd>
          <dt>Cluster</dt>
          <dd>
            <Link to={`/clusters/${encodeURIComponent(data.clusterId)}`}>{data.clusterId}</Link>
          </dd>
          <dt>User</dt>
          <dd>{data.userId ?? '—'}</dd>
          <dt>Type</dt>
          <dd>{data.type === 'session' ? 'Notebook / session' : 'Batch'}</dd>
          <dt>Source</dt>
          <dd>{data.submissionSource}</dd>
          <dt>Image</dt>
          <dd>{data.config.image ?? '—'}</dd>
          <dt>Spark version</dt>
          <dd>{data.config.sparkVersion ?? 'the cluster default'}</dd>
          <dt>Created</dt>
          <dd>{formatTime(data.createdAt)}</dd>
          <dt>Started</dt>
          <dd>{formatTime(data.startedAt)}</dd>
          <dt>Ended</dt>
          <dd>{formatTime(data.endedAt)}</dd>
          <dt>Wait before start</dt>
          <dd>
            {formatDuration(
              m?.waitBeforeStartMs ??
                (data.startedAt ? Date.parse(data.startedAt) - Date.parse(data.createdAt) : undefined),
            )}
          </dd>
          <dt>State</dt>
          <dd>
            {data.state}
            {data.stateReason && <div className="sub">{data.stateReason}</div>}
          </dd>
        </dl>
      </section>

      <ConfigTable app={data} />
      <Executors app={data} />
      <DriverLog app={data} />
      <KubernetesEvents app={data} />
    </section>
  );
}
