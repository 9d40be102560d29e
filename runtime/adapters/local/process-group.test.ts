import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isGroupAlive, isOwnGroupAlive, processStartTicks, stopGroup } from './process-group';

/** A detached shell leading its own group, with a child: what spark-submit's wrapper looks like. */
function startGroup(script: string): number {
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}

describe('process groups', () => {
  it('stops the whole group with SIGTERM', async () => {
    const pgid = startGroup('sleep 300 & sleep 300; wait');
    expect(isGroupAlive(pgid)).toBe(true);
    await stopGroup(pgid, 5_000);
    expect(isGroupAlive(pgid)).toBe(false);
  });

  it('falls back to SIGKILL for a group that ignores SIGTERM', async () => {
    const pgid = startGroup('trap "" TERM; sleep 300 & wait');
    await new Promise((done) => setTimeout(done, 200)); // let the shell install its trap
    await stopGroup(pgid, 300);
    expect(isGroupAlive(pgid)).toBe(false);
  });

  it('tells a reused pid from its own group by the start time of the leader', async () => {
    const pgid = startGroup('sleep 300');
    const ticks = processStartTicks(pgid);
    expect(ticks).toBeGreaterThan(0);
    expect(isOwnGroupAlive(pgid, ticks)).toBe(true);
    expect(isOwnGroupAlive(pgid, ticks! - 1)).toBe(false);
    await stopGroup(pgid, 5_000);
    expect(isOwnGroupAlive(pgid, ticks)).toBe(false);
  });
});
