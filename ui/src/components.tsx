/** Small pieces every page uses: state badges, figure cards, notes for loading and errors. */
import { type ReactNode, useEffect } from 'react';
import type { ApiError } from './lib/api';
import type { AppState, ClusterState } from './lib/types';

// every state of an application and of a cluster has its colour: a new one fails to compile here
const STATE_CLASS: Record<AppState | ClusterState, 'pending' | 'running' | 'ok' | 'warn' | 'bad'> = {
  NEW: 'pending',
  PENDING: 'pending',
  RUNNING: 'running',
  COMPLETED: 'ok',
  COMPLETED_WITH_WARNINGS: 'warn',
  FAILED: 'bad',
  KILLED: 'bad',
  TIMED_OUT: 'bad',
  AVAILABLE: 'ok',
  PROGRESSING: 'pending',
  DEGRADED: 'warn',
  UNREACHABLE: 'bad',
  UNAVAILABLE: 'bad',
};

export function StateBadge({ state }: { state: AppState | ClusterState }) {
  return <span className={`badge badge-${STATE_CLASS[state]}`}>{state}</span>;
}

export function Figure({ label, value, hint }: { label: string; value: ReactNode; hint?: string }) {
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd>{value}</dd>
      {hint && <dd className="figure-hint">{hint}</dd>}
    </div>
  );
}

export function Figures({ children }: { children: ReactNode }) {
  return <dl className="figures">{children}</dl>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="note" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorNote({ error, what }: { error: ApiError; what: string }) {
  return (
    <p className="note note-error" role="alert">
      Could not load {what}: {error.message}
      {error.status === 403 && ' (this token may not see it)'}
    </p>
  );
}

/** Sets the document title for the page shown. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · sparkplane`;
  }, [title]);
}

export function PageHeader({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      {children && <div className="page-actions">{children}</div>}
    </div>
  );
}

/** A labelled select bound to a value. */
export function Select<T extends string>(props: {
  id: string;
  label: string;
  value: T;
  options: readonly (readonly [T, string])[];
  onChange: (value: T) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value as T)}>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
