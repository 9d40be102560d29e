import { describe, expect, it } from 'vitest';
import { app as planApp, cluster, gang } from './fixtures.test-helpers';
import { Candidate, ClusterLedger } from './ledger';
import { capacity, clusterQuota, concurrencyPolicy, headOfLine, teamQuota } from './rules';
import type { PlanApp, PlanCluster } from './types';

const app = (id: string, overrides: Partial<PlanApp> = {}): Candidate => new Candidate(planApp(id, overrides));

function ledger(spec: Partial<PlanCluster>, running: PlanApp[] = []): ClusterLedger {
  const l = new ClusterLedger(cluster(spec));
  running.forEach((r) => l.addRunning(r));
  return l;
}

describe('concurrencyPolicy', () => {
  const forbid = (id: string) => app(id, { jobId: 'nightly', concurrency: 'Forbid' });

  it('holds a run of a Forbid job while another of its runs is active', () => {
    expect(concurrencyPolicy.check(forbid('n2'), ledger({}, [forbid('n1')]))).toEqual({
      reason: 'job nightly: concurrency Forbid, run n1 active',
    });
  });

  it('holds it behind an earlier run of the job that waits', () => {
    const l = ledger({});
    l.hold(forbid('n1'));
    expect(concurrencyPolicy.check(forbid('n2'), l)?.reason).toBe(
      'job nightly: concurrency Forbid, run n1 queued ahead',
    );
  });

  it('lets Allow and Replace jobs overlap, and a Forbid job run when nothing of it is active', () => {
    const l = ledger({}, [app('a1', { jobId: 'nightly' })]);
    expect(concurrencyPolicy.check(app('a2', { jobId: 'nightly' }), l)).toBeUndefined();
    expect(concurrencyPolicy.check(app('a3', { jobId: 'nightly', concurrency: 'Replace' }), l)).toBeUndefined();
    expect(concurrencyPolicy.check(forbid('n1'), ledger({}, [app('x', { jobId: 'other' })]))).toBeUndefined();
  });
});

describe('clusterQuota', () => {
  it('holds an application past the cluster quota of applications, cores or memory', () => {
    const running = [app('r1', { demand: gang(3) })]; // 4 cores, 4g
    expect(clusterQuota.check(app('q'), ledger({ quota: { applications: 1 } }, running))?.reason).toBe(
      'quota cluster c1: 1/1 applications running',
    );
    expect(clusterQuota.check(app('q', { demand: gang(1) }), ledger({ quota: { cores: 5 } }, running))?.reason).toBe(
      'quota cluster c1: 4/5 cores in use, needs 2',
    );
    expect(clusterQuota.check(app('q'), ledger({ quota: { memoryMiB: 4096 } }, running))?.reason).toBe(
      'quota cluster c1: 4g/4g memory in use, needs 1g',
    );
  });

  it('admits within the quota and without one', () => {
    expect(
      clusterQuota.check(app('q'), ledger({ quota: { applications: 2, cores: 5 } }, [app('r1', { demand: gang(3) })])),
    ).toBeUndefined();
    expect(clusterQuota.check(app('q', { demand: gang(99) }), ledger({}))).toBeUndefined();
  });

  it('rejects what asks more than the quota at all', () => {
    expect(clusterQuota.check(app('q', { demand: gang(8) }), ledger({ quota: { cores: 8 } }))).toEqual({
      reason: 'quota cluster c1: needs 9 cores, more than its 8',
      never: true,
    });
  });
});

describe('teamQuota', () => {
  const quotas = { teamQuotas: { 'team-a': { cores: 64 } }, defaultTeamQuota: { applications: 1 } };

  it('holds a team past its own quota, not counting other teams', () => {
    const running = [app('r1', { team: 'team-a', demand: gang(63) }), app('r2', { team: 'team-b', demand: gang(10) })];
    expect(teamQuota.check(app('q', { team: 'team-a' }), ledger(quotas, running))?.reason).toBe(
      'quota team-a: 64/64 cores in use, needs 1',
    );
    expect(teamQuota.check(app('q', { team: 'team-c' }), ledger(quotas, running))).toBeUndefined();
  });

  it('gives each team without its own entry the default team quota', () => {
    const running = [app('r2', { team: 'team-b' })];
    expect(teamQuota.check(app('q', { team: 'team-b' }), ledger(quotas, running))?.reason).toBe(
      'quota team-b: 1/1 applications running',
    );
    expect(
      teamQuota.check(
        app('q', { team: '' }),
        ledger({ defaultTeamQuota: { applications: 1 } }, [app('r', { team: '' })]),
      )?.reason,
    ).toBe('quota (no team): 1/1 applications running');
  });

  it('rejects what asks more than the team may ever hold', () => {
    expect(
      teamQuota.check(
        app('q', { team: 'team-a', demand: gang(1, 1, 1 << 20) }),
        ledger({ teamQuotas: { 'team-a': { memoryMiB: 65536 } } }),
      ),
    ).toEqual({
      reason: 'quota team-a: needs 1025g memory, more than its 64g',
      never: true,
    });
  });
});

describe('capacity', () => {
  it('holds a gang that does not fit what is left, and makes the others wait behind it', () => {
    const l = ledger({ capacity: { cores: 2, memoryMiB: 8192 } }, [app('r1', { demand: gang(1) })]);
    expect(capacity.check(app('q'), l)).toEqual({ reason: 'cluster c1: 2/2 cores in use, needs 1', blocks: true });
    const memory = ledger({ capacity: { cores: 8, memoryMiB: 2560 } }, [app('r1', { demand: gang(1) })]);
    expect(capacity.check(app('q', { demand: gang(0, 1, 1024) }), memory)?.reason).toBe(
      'cluster c1: 2g/2560m memory in use, needs 1g',
    );
  });

  it('admits what fits and everything on a cluster without declared capacity', () => {
    expect(capacity.check(app('q'), ledger({ capacity: { cores: 2, memoryMiB: 8192 } }, [app('r1')]))).toBeUndefined();
    expect(capacity.check(app('q', { demand: gang(1000) }), ledger({}))).toBeUndefined();
  });

  it('rejects a gang larger than the whole cluster', () => {
    expect(capacity.check(app('q', { demand: gang(3) }), ledger({ capacity: { cores: 2, memoryMiB: 8192 } }))).toEqual({
      reason: 'cluster c1: needs 4 cores, more than its 2',
      never: true,
    });
  });

  it('needs every pod of the gang on a node with room, not only room in total', () => {
    // 4 free cores in total, but no node has the 2 cores an executor asks
    const nodes = [
      { cores: 1, memoryMiB: 4096 },
      { cores: 1, memoryMiB: 4096 },
      { cores: 1, memoryMiB: 4096 },
      { cores: 1, memoryMiB: 4096 },
    ];
    const l = ledger({ capacity: { cores: 4, memoryMiB: 16384 }, nodes });
    expect(capacity.check(app('q', { demand: gang(1, 2) }), l)).toEqual({
      reason:
        'cluster c1: no room on its nodes for the driver (1 cores, 1g) and 1 executors (2 cores, 1g each) at once',
      blocks: true,
    });
    expect(capacity.check(app('q', { demand: gang(3, 1) }), l)).toBeUndefined();
  });

  it('leaves the nodes as they were after a check', () => {
    const l = ledger({ nodes: [{ cores: 2, memoryMiB: 4096 }] });
    expect(capacity.check(app('q', { demand: gang(1) }), l)).toBeUndefined();
    expect(capacity.check(app('q', { demand: gang(1) }), l)).toBeUndefined();
  });
});

describe('headOfLine', () => {
  it('holds everything behind the application that waits for room, and nothing before', () => {
    const l = ledger({});
    expect(headOfLine.check(app('q'), l)).toBeUndefined();
    l.blockedBy = 'big';
    expect(headOfLine.check(app('q'), l)).toEqual({ reason: 'cluster c1: queued behind big, which waits for room' });
  });
});
