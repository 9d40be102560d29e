/** What every case of the fault suite checks once its fault is over, and the line it reports. */
import { expect } from 'vitest';
import type { ServiceProcess } from '../support/service-process';

const ACTIVE = new Set(['NEW', 'PENDING', 'RUNNING']);

export interface Settled {
  acknowledged: number;
  present: number;
  duplicated: number;
  stuck: number;
}

/**
 * Waits (up to `limitMs`) for no application to be in flight, then checks every acknowledged id
 * is present exactly once and none is left in flight; returns the counts.
 */
export async function settled(service: ServiceProcess, acknowledged: string[], limitMs = 120_000): Promise<Settled> {
  const started = Date.now();
  let apps = await service.applications();
  while (apps.some((a) => ACTIVE.has(a.state)) && Date.now() - started < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    apps = await service.applications();
  }
  const ids = apps.map((a) => a.id);
  const counts: Settled = {
    acknowledged: acknowledged.length,
    present: new Set(ids.filter((id) => acknowledged.includes(id))).size,
    duplicated: ids.length - new Set(ids).size,
    stuck: apps.filter((a) => ACTIVE.has(a.state)).length,
  };
  const inFlight = apps.filter((a) => ACTIVE.has(a.state));
  if (inFlight.length > 0)
    console.warn(
      `in flight after the settle time:\n${JSON.stringify(inFlight.slice(0, 5), null, 1)}\nservice log:\n${service.log.slice(-3000)}`,
    );
  expect(inFlight.map((a) => `${a.id} ${a.state}`)).toEqual([]);
  expect(counts).toMatchObject({ present: acknowledged.length, duplicated: 0, stuck: 0 });
  return counts;
}

/** The suite's figures, one line per fault (the note quotes them). */
export function report(fault: string, counts: Settled, recoveredMs: number): void {
  console.warn(
    `fault ${fault}: acknowledged=${counts.acknowledged} present=${counts.present} duplicated=${counts.duplicated} stuck=${counts.stuck} recovered=${(recoveredMs / 1000).toFixed(1)}s`,
  );
}

/** No answer off the contract during the fault: no 5xx but 503 (a refusal with its reason); else the service's log of them. */
export function expectNoServerErrors(service: ServiceProcess): void {
  const errors = service.statuses.filter((s) => s >= 500 && s !== 503);
  const logged = service.log.split('\n').filter((line) => line.includes('"level":50'));
  expect(errors, logged.slice(0, 3).join('\n')).toEqual([]);
}

/** Submits `appId` until it is acknowledged (201, or 200 for a retry of an acknowledged one), as a client with retries does. */
export async function submitUntilAcknowledged(
  service: ServiceProcess,
  appId: string,
  body: Record<string, unknown>,
  limitMs = 120_000,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    const { status } = await service.api('/api/v1/applications', { method: 'POST', body: { ...body, appId } });
    if (status === 201 || status === 200) return;
    if (Date.now() - started > limitMs)
      throw new Error(`${appId} was not acknowledged within ${limitMs / 1000}s (last ${status})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
