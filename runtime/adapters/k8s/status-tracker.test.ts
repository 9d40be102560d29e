import { describe, expect, it } from 'vitest';
import type { BackendStatus } from '../../domain/ports';
import { DELETED_REASON, StatusTracker } from './status-tracker';

function tracker(recentLimit?: number) {
  const delivered: [string, BackendStatus][] = [];
  const made = new StatusTracker(
    (appId, status) => delivered.push([appId, status]),
    recentLimit === undefined ? {} : { recentLimit },
  );
  const states = (appId: string) => delivered.filter(([id]) => id === appId).map(([, s]) => s.state);
  return { tracker: made, delivered, states };
}

describe('StatusTracker', () => {
  it('delivers changes only, by state and reason', () => {
    const { tracker: t, delivered } = tracker();
    t.observe('a', { state: 'PENDING' });
    t.observe('a', { state: 'PENDING' });
    t.observe('a', { state: 'RUNNING', startedAt: '2026-01-01T00:00:00Z' });
    t.observe('a', { state: 'RUNNING', startedAt: '2026-01-01T00:00:00Z' });
    t.observe('a', { state: 'RUNNING', reason: 'unknown spark-operator state X' });
    expect(delivered.map(([, s]) => s.state)).toEqual(['PENDING', 'RUNNING', 'RUNNING']);
  });

  it('reports an end once: replays and re-lists of an ended application, even of another state, are not news', () => {
    const { tracker: t, states } = tracker();
    t.observe('a', { state: 'RUNNING' });
    t.observe('a', { state: 'COMPLETED' });
    t.observe('a', { state: 'COMPLETED' });
    t.observe('a', { state: 'RUNNING' });
    t.gone('a');
    t.listed(new Set());
    expect(states('a')).toEqual(['RUNNING', 'COMPLETED']);
  });

  it('reads a vanished resource: KILLED after a kill, its own end after a time to live, else FAILED', () => {
    const { tracker: t, delivered } = tracker();
    t.observe('killed', { state: 'RUNNING' });
    t.killRequested('killed');
    t.gone('killed', { state: 'RUNNING' });
    t.observe('expired', { state: 'RUNNING' });
    t.gone('expired', { state: 'COMPLETED', endedAt: '2026-01-01T01:00:00Z' });
    t.observe('deleted', { state: 'PENDING' });
    t.gone('deleted', { state: 'PENDING' });
    expect(delivered.filter(([, s]) => s.state !== 'RUNNING' && s.state !== 'PENDING')).toEqual([
      ['killed', { state: 'KILLED' }],
      ['expired', { state: 'COMPLETED', endedAt: '2026-01-01T01:00:00Z' }],
      ['deleted', { state: 'FAILED', reason: DELETED_REASON }],
    ]);
    expect(t.endOf('killed')).toEqual({ state: 'KILLED' });
    expect(t.endOf('deleted')).toEqual({ state: 'FAILED', reason: DELETED_REASON });
  });

  it('reads the deletion of a stuck start as its failure, and a later deletion as a deletion once that delete failed', () => {
    const { tracker: t, delivered } = tracker();
    const failure: BackendStatus = {
      state: 'FAILED',
      reason: 'driver pod: ImagePullBackOff: Back-off pulling image "x"',
    };
    t.observe('stuck', { state: 'PENDING' });
    t.failRequested('stuck', failure);
    t.gone('stuck', { state: 'PENDING' });
    t.observe('retried', { state: 'PENDING' });
    t.failRequested('retried', failure);
    t.failFailed('retried');
    t.gone('retried', { state: 'PENDING' });
    expect(delivered.filter(([, s]) => s.state === 'FAILED')).toEqual([
      ['stuck', failure],
      ['retried', { state: 'FAILED', reason: DELETED_REASON }],
    ]);
  });

  it('reads the running applications a re-list lacks as deleted, and leaves the others', () => {
    const { tracker: t, states } = tracker();
    t.observe('listed', { state: 'RUNNING' });
    t.observe('missing', { state: 'RUNNING' });
    t.observe('killed', { state: 'RUNNING' });
    t.killRequested('killed');
    t.listed(new Set(['listed']));
    expect(states('listed')).toEqual(['RUNNING']);
    expect(states('missing')).toEqual(['RUNNING', 'FAILED']);
    expect(states('killed')).toEqual(['RUNNING', 'KILLED']);
  });

  it('forgets ended applications: 10,000 submitted, killed or ended leave at most the bound', () => {
    const { tracker: t, delivered } = tracker(500);
    for (let i = 0; i < 10_000; i++) {
      const appId = `app-${i}`;
      t.observe(appId, { state: 'PENDING' });
      t.observe(appId, { state: 'RUNNING' });
      if (i % 3 === 0) {
        t.killRequested(appId);
        t.gone(appId, { state: 'RUNNING' });
      } else {
        t.observe(appId, { state: i % 3 === 1 ? 'COMPLETED' : 'FAILED' });
      }
      // a kill asked of an application the cluster never showed waits for its end, but not forever
      t.killRequested(`never-seen-${i}`);
    }
    expect(t.size).toEqual({ live: 0, ended: 500, killing: 500 });
    expect(delivered).toHaveLength(30_000);
    // the most recent ends are still known, the oldest are not
    expect(t.endOf('app-9999')).toEqual({ state: 'KILLED' });
    expect(t.endOf('app-1')).toBeUndefined();
  });

  it('keeps 10,000 recent ends by default', () => {
    const { tracker: t } = tracker();
    for (let i = 0; i < 12_000; i++) t.observe(`app-${i}`, { state: 'COMPLETED' });
    expect(t.size).toEqual({ live: 0, ended: 10_000, killing: 0 });
  });
});
