/** The timeline of an application, read again every few seconds while it runs and its log is being written. */
import { useEffect, useRef } from 'react';
import type { Application, ApplicationTimeline } from './types';
import { type Resource, useApi } from './use-api';

/** How often a live timeline is read again, ms. */
export const TIMELINE_REFRESH_MS = 3000;

export function useTimeline(app: Application | undefined, active: boolean): Resource<ApplicationTimeline> {
  // not asked before the application starts: Spark writes no log while it waits
  const started = app !== undefined && app.state !== 'NEW' && app.state !== 'PENDING';
  const timeline = useApi<ApplicationTimeline>(
    started ? `/api/v1/applications/${encodeURIComponent(app.id)}/timeline` : undefined,
  );
  const { reload } = timeline;
  const live = timeline.data?.live ?? true;
  useEffect(() => {
    if (!started || !active || !live) return;
    const timer = setInterval(reload, TIMELINE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [started, active, live, reload]);
  // the run has just ended: read the final log once
  const wasActive = useRef(active);
  useEffect(() => {
    if (wasActive.current && !active) reload();
    wasActive.current = active;
  }, [active, reload]);
  return timeline;
}
