/**
 * The scaffolding of every paged list (applications, sessions, jobs): the error and loading notes,
 * a table with its header and an empty row, and the pager over the API's cursors.
 */
import type { ReactNode } from 'react';
import { ErrorNote, Loading } from './components';
import type { Page } from './lib/types';
import type { Resource } from './lib/use-api';
import type { usePaging } from './lib/url-state';

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
