/** Every job: its cluster, last run, schedule and tuning mode. */
import { useEffect } from 'react';
import { Link } from 'react-router';
import { PageHeader, Select, StateBadge, useTitle } from '../components';
import { withQuery } from '../lib/api';
import { formatDuration, formatMoney, formatTime } from '../lib/format';
import { markPainted } from '../lib/perf';
import type { Cluster, JobSummary, Page } from '../lib/types';
import { useApi } from '../lib/use-api';
import { usePaging, useUrlState } from '../lib/url-state';
import { ClusterCell, type Column, PagedTable } from '../paged-table';

const JOB_COLUMNS: Column[] = [
  { header: 'Job' },
  { header: 'Cluster' },
  { header: 'Last run' },
  { header: 'Started' },
  { header: 'Duration', numeric: true },
  { header: 'User' },
  { header: 'Cost', numeric: true },
  { header: 'Schedule' },
  { header: 'Next run' },
  { header: 'Tuning' },
];

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
      <PagedTable
        list={jobs}
        what="jobs"
        columns={JOB_COLUMNS}
        empty="No job yet: a job appears with its first submission or its spec."
        paging={paging}
        row={(job) => (
          <tr key={job.id} data-job-id={job.id}>
            <td>
              <Link to={`/jobs/${encodeURIComponent(job.id)}`}>{job.displayName ?? job.id}</Link>
              {job.displayName && <div className="sub">{job.id}</div>}
            </td>
            <ClusterCell clusterId={job.clusterId} />
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
        )}
      />
    </section>
  );
}
