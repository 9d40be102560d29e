/** Process groups of applications: is one alive, stop it whole. Linux semantics (/proc). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, ...]. */
function statFields(pid: string | number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command (field 2) may hold spaces and parentheses: cut after its closing one
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * True while a process of the group lives. Zombies do not count: an orphan's exit is reaped by
 * whoever adopted it, which may take its time, and signal 0 would still find it.
 */
export function isGroupAlive(pgid: number): boolean {
  if (!existsSync('/proc/self/stat')) return signalZeroFinds(pgid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields && fields[2] === String(pgid) && fields[0] !== 'Z') return true;
  }
  return false;
}

function signalZeroFinds(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Start time of a process in clock ticks since boot, or undefined when it does not exist. */
export function processStartTicks(pid: number): number | undefined {
  const ticks = Number(statFields(pid)?.[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/**
 * True when the group is alive and is still ours. Linux never hands out a pid that is in use as a
 * process group id, so a live group whose leader is gone is ours; a live leader with another start
 * time means the group died and the pid was reused.
 */
export function isOwnGroupAlive(pgid: number, leaderStartTicks: number | undefined): boolean {
  if (!isGroupAlive(pgid)) return false;
  if (leaderStartTicks === undefined) return true;
  const now = processStartTicks(pgid);
  return now === undefined || now === leaderStartTicks;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitGone(pgid: number, timeoutMillis: number, pollMillis: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMillis;
  while (isGroupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await sleep(pollMillis);
  }
  return true;
}

/** SIGTERM to the whole group, SIGKILL to what is left after the grace period; resolves once it is gone. */
export async function stopGroup(pgid: number, graceMillis: number, pollMillis = 100): Promise<void> {
  if (!isGroupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  if (await waitGone(pgid, graceMillis, pollMillis)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitGone(pgid, 10_000, pollMillis);
}
