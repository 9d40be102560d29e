/** Every job: its cluster, last run, schedule and tuning mode. */
import { useEffect } from 'react';
import { Link } from 'react-router';
import { ErrorNote, Loading, PageHeader, Select, StateBadge, useTitle } from '../components';
import { withQuery } from '../lib/api';
import { formatDuration, formatMoney, formatTime } from '../lib/format';
import { markPainted } from '../lib/perf';
import type { Cluster, JobSummary, Page } from '../lib/types';
import { useApi } from '../lib/use-api';
import { usePaging, useUrlState } from '../lib/url-state';

export function JobsPage() {
  useTitle('Jobs');
  const { get, update } = useUrlState();
  const paging = usePaging();
  const clusters = useApi<{ items: Cluster[] }>('/api/v1/clusters');
  const jobs = useApi<Page<JobSummary>>(
    withQuery('/api/v1/jobs', { clusterId: get('cluster') || undefined, limit: 50, cursor: paging.cursor }),
  );
  useEffect(() => {
    if (jobs.data) markPainted('jobs');
  }, [jobs.data]);

  return (
    <section aria-labelledby="page-title">
      <PageHeader title={<span id="page-title">Jobs</span>} />
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
      {jobs.error && <ErrorNote error={jobs.error} what="the jobs" />}
      {!jobs.data && jobs.loading && <Loading what="jobs" />}
      {jobs.data && (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Cluster</th>
                <th scope="col">Last run</th>
                <th scope="col">Started</th>
                <th scope="col" className="num">
                  Duration
                </th>
                <th scope="col">User</th>
                <th scope="col" className="num">
                  Cost
                </th>
                <th scope="col">Schedule</th>
                <th scope="col">Next run</th>
                <th scope="col">Tuning</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.items.length === 0 && (
                <tr>
                  <td colSpan={10} className="empty">
                    No job yet: a job appears with its first submission or its spec.
                  </td>
                </tr>
              )}
              {jobs.data.items.map((job) => (
                <tr key={job.id} data-job-id={job.id}>
                  <td>
                    <Link to={`/jobs/${encodeURIComponent(job.id)}`}>{job.displayName ?? job.id}</Link>
                    {job.displayName && <div className="sub">{job.id}</div>}
                  </td>
                  <td>
                    <Link to={`/clusters/${encodeURIComponent(job.clusterId)}`}>{job.clusterId}</Link>
                  </td>
                  <td>
                    {job.lastRun ? (
                      <>
                        <StateBadge state={job.lastRun.state} />
                        <div className="sub">
                          <Link to={`/applications/${encodeURIComponent(job.lastRun.appId)}`}>{job.lastRun.appId}</Link>
                        </div>
                      </>
                    ) : (
                      'never ran'
                    )}
                  </td>
                  <td>{formatTime(job.lastRun?.startedAt)}</td>
                  <td className="num">{formatDuration(job.lastRun?.durationMs)}</td>
                  <td>{job.lastRun?.userId ?? '—'}</td>
                  <td className="num">{formatMoney(job.lastRun?.cost)}</td>
                  <td>
                    {job.schedule ? (
                      <>
                        <code>{job.schedule.cron}</code> {job.schedule.timezone}
                        {!job.schedule.enabled && ' (disabled)'}
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{formatTime(job.nextRunAt)}</td>
                  <td>{job.tuning.mode}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        <button type="button" onClick={paging.previous} disabled={paging.pageNumber === 1}>
          Previous
        </button>
        <span>Page {paging.pageNumber}</span>
        <button
          type="button"
          onClick={() => jobs.data?.nextCursor && paging.next(jobs.data.nextCursor)}
          disabled={!jobs.data?.nextCursor}
        >
          Next
        </button>
      </nav>
    </section>
  );
}
