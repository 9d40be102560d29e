/** Every cluster with its health, back-end, region and running applications. */
import { useEffect } from 'react';
import { Link } from 'react-router';
import { ErrorNote, Loading, PageHeader, StateBadge, useTitle } from '../components';
import { formatNodes, formatTime } from '../lib/format';
import { markPainted } from '../lib/perf';
import type { Cluster } from '../lib/types';
import { useApi } from '../lib/use-api';

export function ClustersPage() {
  useTitle('Clusters');
  const clusters = useApi<{ items: Cluster[] }>('/api/v1/clusters');
  useEffect(() => {
    if (clusters.data) markPainted('clusters');
  }, [clusters.data]);
  return (
    <section aria-labelledby="page-title">
      <PageHeader title={<span id="page-title">Clusters</span>}>
        <button type="button" onClick={clusters.reload}>
          Refresh
        </button>
      </PageHeader>
      {clusters.error && <ErrorNote error={clusters.error} what="the clusters" />}
      {!clusters.data && clusters.loading && <Loading what="clusters" />}
      {clusters.data && (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Health</th>
                <th scope="col">Id</th>
                <th scope="col">Back-end</th>
                <th scope="col">Region</th>
                <th scope="col" className="num">
                  Running applications
                </th>
                <th scope="col">Nodes</th>
                <th scope="col">Last heartbeat</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {clusters.data.items.map((c) => (
                <tr key={c.id} data-cluster-id={c.id}>
                  <td>
                    <Link to={`/clusters/${encodeURIComponent(c.id)}`}>{c.displayName ?? c.id}</Link>
                  </td>
                  <td>
                    <StateBadge state={c.state} />
                    {c.reason && <div className="sub">{c.reason}</div>}
                  </td>
                  <td>
                    <code>{c.id}</code>
                  </td>
                  <td>{c.backend}</td>
                  <td>{c.region ?? '—'}</td>
                  <td className="num">
                    <Link to={`/applications?cluster=${encodeURIComponent(c.id)}&state=RUNNING`}>
                      {c.runningApplications}
                    </Link>
                  </td>
                  <td>{formatNodes(c.nodes)}</td>
                  <td>{formatTime(c.lastHeartbeat)}</td>
                  <td>{formatTime(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
