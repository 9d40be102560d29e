/** The interactive Spark Connect sessions: how to connect to each, and a stop for those who may. */
import { useState } from 'react';
import { Link } from 'react-router';
import { useConfirm } from '../confirm';
import { PageHeader, Select, useTitle } from '../components';
import { ApiError, request, withQuery } from '../lib/api';
import { isActive } from '../lib/apps';
import { useSession } from '../lib/auth';
import { formatTime } from '../lib/format';
import type { Cluster, SessionList, SessionView } from '../lib/types';
import { useApi } from '../lib/use-api';
import { usePaging, useUrlState } from '../lib/url-state';
import { ClusterCell, type Column, EndCell, PagedTable, StateCell } from '../paged-table';

const SESSION_COLUMNS: Column[] = [
  { header: 'Session' },
  { header: 'Cluster' },
  { header: 'State' },
  { header: 'User' },
  { header: 'Started' },
  { header: 'Last request' },
  { header: 'Idle time-out' },
  { header: 'Connect' },
];

export function SessionsPage() {
  useTitle('Sessions');
  const session = useSession();
  const { get, update } = useUrlState();
  const paging = usePaging();
  const clusters = useApi<{ items: Cluster[] }>('/api/v1/clusters');
  const sessions = useApi<SessionList>(
    withQuery('/api/v1/sessions', { clusterId: get('cluster') || undefined, limit: 50, cursor: paging.cursor }),
  );
  const [actionError, setActionError] = useState<string>();
  const { confirm, dialog } = useConfirm();
  const canStop = session.can('applications:kill');

  const stop = async (s: SessionView) => {
    const id = s.application.id;
    if (!(await confirm(`Stop session ${id}? Its Spark Connect server ends, and so do its clients' queries.`, 'Stop')))
      return;
    setActionError(undefined);
    try {
      const response = await request(`/api/v1/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
      const stopped = (await response.json()) as SessionView;
      sessions.set(
        (list) => list && { ...list, items: list.items.map((x) => (x.application.id === id ? stopped : x)) },
      );
    } catch (e) {
      setActionError(`Could not stop ${id}: ${e instanceof ApiError ? e.message : String(e)}`);
    }
  };

  return (
    <section aria-labelledby="page-title">
      <PageHeader title={<span id="page-title">Sessions</span>} />
      <p className="note">
        Spark Connect sessions (no job). Connect with PySpark through the runtime:{' '}
        <code>SparkSession.builder.remote(url)</code>, with your sparkplane token in place of <code>&lt;token&gt;</code>
        .
      </p>
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
      </div>
      {dialog}
      {actionError && (
        <p className="note note-error" role="alert">
          {actionError}
        </p>
      )}
      <PagedTable
        list={sessions}
        what="sessions"
        caption="Sessions, newest first"
        columns={[...SESSION_COLUMNS, canStop && { header: 'Actions', hidden: true }]}
        empty="No session yet: start one with POST /api/v1/sessions."
        paging={paging}
        row={(s) => {
          const app = s.application;
          return (
            <tr key={app.id} data-session-id={app.id} data-state={app.state}>
              <td>
                <Link to={`/applications/${encodeURIComponent(app.id)}`}>{app.id}</Link>
                <div className="sub">
                  <code>{s.sessionId}</code>
                </div>
              </td>
              <ClusterCell clusterId={app.clusterId} />
              <StateCell state={app.state} reason={app.pendingReason ?? app.stateReason} />
              <td>{app.userId ?? '—'}</td>
              <td>{formatTime(app.startedAt)}</td>
              <td>{formatTime(s.lastActivityAt)}</td>
              <td>{s.idleTimeoutMinutes} min</td>
              <td>
                {isActive(app) ? (
                  <>
                    <code className="connect">{s.connect.sparkConnectUrl}</code>
                    <div className="sub">
                      Ocean: <code>{s.connect.oceanPath}</code>
                    </div>
                  </>
                ) : (
                  'ended'
                )}
              </td>
              <EndCell allowed={canStop} active={isActive(app)} verb="Stop" id={app.id} onEnd={() => void stop(s)} />
            </tr>
          );
        }}
      />
    </section>
  );
}
