/**
 * The scaffolding of every paged list (applications, sessions, jobs): the error and loading notes,
 * a table with its header and an empty row, and the pager over the API's cursors.
 */
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ErrorNote, Loading, StateBadge } from './components';
import type { AppState, Page } from './lib/types';
import type { Resource } from './lib/use-api';
import type { usePaging } from './lib/url-state';

/** A row's cluster, linked to its page. */
export function ClusterCell({ clusterId }: { clusterId: string }) {
  return (
    <td>
      <Link to={`/clusters/${encodeURIComponent(clusterId)}`}>{clusterId}</Link>
    </td>
  );
}

/** An application's state, with why it is there when the runtime says. */
export function StateCell({ state, reason }: { state: AppState; reason?: string }) {
  return (
    <td>
      <StateBadge state={state} />
      {reason && <div className="sub">{reason}</div>}
    </td>
  );
}

/** The last cell of a row the token may end (kill, stop): its button while the application is active. */
export function EndCell(props: { allowed: boolean; active: boolean; verb: string; id: string; onEnd: () => void }) {
  if (!props.allowed) return null;
  return (
    <td>
      {props.active && (
        <button type="button" className="danger" onClick={props.onEnd} aria-label={`${props.verb} ${props.id}`}>
          {props.verb}
        </button>
      )}
    </td>
  );
}

export interface Column {
  header: string;
  numeric?: boolean;
  /** Read by screen readers only (an actions column). */
  hidden?: boolean;
}

export function PagedTable<T>(props: {
  list: Resource<Page<T>>;
  /** What the rows are, for the notes ("applications"). */
  what: string;
  caption?: string;
  columns: readonly (Column | false)[];
  empty: ReactNode;
  paging: ReturnType<typeof usePaging>;
  row: (item: T) => ReactNode;
}) {
  const { list, paging } = props;
  const columns = props.columns.filter((c): c is Column => c !== false);
  return (
    <>
      {list.error && <ErrorNote error={list.error} what={`the ${props.what}`} />}
      {!list.data && list.loading && <Loading what={props.what} />}
      {list.data && (
        <div className="table-wrap">
          <table className="data">
            {props.caption && <caption className="sr-only">{props.caption}</caption>}
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.header} scope="col" className={c.numeric ? 'num' : undefined}>
                    {c.hidden ? <span className="sr-only">{c.header}</span> : c.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {list.data.items.length === 0 && (
                <tr>
                  <td colSpan={columns.length} className="empty">
                    {props.empty}
                  </td>
                </tr>
              )}
              {list.data.items.map(props.row)}
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
          onClick={() => list.data?.nextCursor && paging.next(list.data.nextCursor)}
          disabled={!list.data?.nextCursor}
        >
          Next
        </button>
      </nav>
    </>
  );
}
