/**
 * The live side of the Applications page on real Spark: a running application's row follows its
 * state without a reload (from the stream of changes, and by polling when the stream is blocked),
 * a kill from the page, with the keyboard only and a confirmation Escape can take back, ends it KILLED, and a token without applications:kill gets no kill button
 * and a 403 for a forged kill; the Sessions page lists a running session and stops it.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../runtime/domain/application';
import type { SessionView } from '../../runtime/domain/session';
import type { ApplicationTimeline } from '../../runtime/domain/timeline';
import { SLEEPER_SCRIPT, sparkEnv, waitFor, writeScript } from '../support/spark';
import { expectAccessible, launchBrowser, screenshot, signedIn, tabTo } from './dashboard-fixture';
import { call, type Service, startService, waitForEnd } from './service-fixture';

sparkEnv();

let service: Service;
let browser: Browser;
let killer: string;
let reader: string;
let sleeper: string;

beforeAll(async () => {
  [service, browser] = await Promise.all([startService(), launchBrowser()]);
  const token = async (name: string, scopes: string[]) =>
    (await call<{ secret: string }>(service.url, 'POST', '/api/v1/tokens', { body: { name, scopes } })).body.secret;
  killer = await token('operator', ['applications:read', 'applications:kill']);
  reader = await token('viewer', ['applications:read']);
  sleeper = writeScript(join(service.dataDir, 'scripts'), 'sleeper.py', SLEEPER_SCRIPT);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
});

const runSleeper = async (jobId: string): Promise<Application> => {
  const submitted = await call<Application>(service.url, 'POST', '/api/v1/applications', {
    body: {
      clusterId: 'local',
      jobId,
      configOverrides: {
        type: 'Python',
        mainApplicationFile: sleeper,
        driver: { cores: 1, memory: '512m' },
        executor: { instances: 1, cores: 1, memory: '512m' },
      },
    },
  });
  expect(submitted.status, submitted.text).toBe(201);
  return waitFor(`${submitted.body.id} to run`, async () => {
    const app = (await call<Application>(service.url, 'GET', `/api/v1/applications/${submitted.body.id}`)).body;
    return app.state === 'RUNNING' ? app : undefined;
  });
};

const row = (page: Page, id: string) => page.locator(`tr[data-app-id="${id}"]`);
const rowIds = (page: Page) =>
  page.locator('tbody tr[data-app-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-app-id')));

describe('live rows', () => {
  it("a running application's row changes state without reload, streamed or, when the stream fails, polled", async () => {
    const app = await runSleeper('live-watch');
    const streamed = await (await signedIn(browser, reader)).newPage();
    const polled = await (await signedIn(browser, reader)).newPage();
    // this browser cannot get the stream: the page falls back to polling
    await polled.route('**/api/v1/applications/events*', (route) => route.abort());
    for (const page of [streamed, polled]) {
      await page.goto(`${service.url}/applications?job=live-watch`);
      await expect.poll(() => row(page, app.id).getAttribute('data-state')).toBe('RUNNING');
      await page.evaluate('window.__notReloaded = true');
    }
    await expect.poll(() => streamed.locator('.live').innerText()).toBe('Live: streaming changes');
    await expect.poll(() => polled.locator('.live').innerText()).toBe('Live: refreshing every 5 s');
    await screenshot(streamed, 'applications-live');

    expect((await call(service.url, 'DELETE', `/api/v1/applications/${app.id}`)).status).toBe(200);
    for (const page of [streamed, polled]) {
      await expect.poll(() => row(page, app.id).getAttribute('data-state'), { timeout: 20_000 }).toBe('KILLED');
      expect(await page.evaluate('window.__notReloaded')).toBe(true);
    }
    await waitForEnd(service.url, app.id);
  });
});

describe('kill', () => {
  it('no kill button without applications:kill, a forged kill gets 403; with it, the page kills the application', async () => {
    const app = await runSleeper('live-kill');
    const viewer = await (await signedIn(browser, reader)).newPage();
    await viewer.goto(`${service.url}/applications?job=live-kill`);
    await expect.poll(() => row(viewer, app.id).getAttribute('data-state')).toBe('RUNNING');
    expect(await viewer.getByRole('button', { name: /^Kill/ }).count()).toBe(0);
    await viewer.goto(`${service.url}/applications/${app.id}`);
    await viewer.locator('#info-title').waitFor();
    expect(await viewer.getByRole('button', { name: /^Kill/ }).count()).toBe(0);
    // the live timeline: once Spark wrote its first job, the in-progress log is read while it runs
    const timelinePath = `/api/v1/applications/${app.id}/timeline`;
    await expect
      .poll(async () => (await call<ApplicationTimeline>(service.url, 'GET', timelinePath)).body.jobs?.length ?? 0, {
        timeout: 120_000,
      })
      .toBeGreaterThan(0);
    expect((await call<ApplicationTimeline>(service.url, 'GET', timelinePath)).body.live).toBe(true);
    // the page reads it again every few seconds: the job appears without a reload
    await expect
      .poll(() => viewer.locator('canvas[data-testid="timeline-chart"]').getAttribute('data-jobs'), { timeout: 30_000 })
      .not.toBeNull();
    const sparkUi = viewer.getByRole('link', { name: 'Spark UI' });
    expect(await sparkUi.getAttribute('href')).toBe(`/api/v1/applications/${app.id}/spark-ui/`);
    expect(await sparkUi.getAttribute('rel')).toBe('noopener');
    expect(await sparkUi.getAttribute('target')).toBe('_blank');
    // the sign-in opened the Spark UI session the link needs
    expect((await viewer.context().cookies()).some((c) => c.name === 'sparkplane_ui')).toBe(true);
    const forged = await viewer.evaluate(
      `fetch('/api/v1/applications/${app.id}', { method: 'DELETE', headers: { authorization: 'Bearer ' + sessionStorage.getItem('sparkplane.token') } }).then((r) => r.status)`,
    );
    expect(forged).toBe(403);
    expect((await call<Application>(service.url, 'GET', `/api/v1/applications/${app.id}`)).body.state).toBe('RUNNING');

    const operator = await (await signedIn(browser, killer)).newPage();
    await operator.goto(`${service.url}/applications?job=live-kill`);
    await expect.poll(() => row(operator, app.id).getAttribute('data-state')).toBe('RUNNING');
    await expectAccessible(operator, 'applications with a kill button');
    // with the keyboard: Enter asks, Escape takes it back, Enter again and the dialog's Kill kills
    const killButton = `button[aria-label="Kill ${app.id}"]`;
    await tabTo(operator, killButton);
    await operator.keyboard.press('Enter');
    const confirmation = operator.getByRole('dialog');
    await expect.poll(() => confirmation.innerText()).toContain(`Kill ${app.id}?`);
    await tabTo(operator, 'dialog button');
    expect(await operator.evaluate('document.activeElement.textContent')).toBe('Cancel');
    await expectAccessible(operator, 'the kill confirmation');
    await screenshot(operator, 'applications-kill-confirmation');
    await operator.keyboard.press('Escape');
    await expect.poll(() => confirmation.count()).toBe(0);
    expect((await call<Application>(service.url, 'GET', `/api/v1/applications/${app.id}`)).body.state).toBe('RUNNING');
    await tabTo(operator, killButton);
    await operator.keyboard.press('Enter');
    await tabTo(operator, 'dialog button.danger');
    await operator.keyboard.press('Enter');
    const ended = await waitForEnd(service.url, app.id);
    expect(ended.state).toBe('KILLED');
    expect((await call<ApplicationTimeline>(service.url, 'GET', timelinePath)).body.live).toBe(false);
    await expect.poll(() => row(operator, app.id).getAttribute('data-state')).toBe('KILLED');
    expect(await operator.getByRole('button', { name: `Kill ${app.id}` }).count()).toBe(0);
  });
});

describe('sessions', () => {
  it('lists a running session with how to connect, under "notebook / session" with no job; a stop ends it KILLED', async () => {
    // a session is stopped by its owner (or an admin): one token starts it and stops it
    const owner = (
      await call<{ secret: string }>(service.url, 'POST', '/api/v1/tokens', {
        body: { name: 'analyst', scopes: ['applications:read', 'applications:create', 'applications:kill'] },
      })
    ).body.secret;
    const started = await call<SessionView>(service.url, 'POST', '/api/v1/sessions', {
      token: owner,
      body: { clusterId: 'local', configOverrides: { driver: { cores: 1, memory: '512m' } } },
    });
    expect(started.status, started.text).toBe(201);
    const id = started.body.application.id;
    await waitFor(`session ${id} to run`, async () => {
      const state = (await call<SessionView>(service.url, 'GET', `/api/v1/sessions/${id}`)).body.application.state;
      if (!['NEW', 'PENDING', 'RUNNING'].includes(state)) throw new Error(`session ${id} ended ${state}`);
      return state === 'RUNNING';
    });
    const sessionRow = (page: Page) => page.locator(`tr[data-session-id="${id}"]`);

    const viewer = await (await signedIn(browser, reader)).newPage();
    await viewer.goto(`${service.url}/applications?type=interactive`);
    await expect.poll(() => rowIds(viewer)).toEqual([id]);
    expect(await row(viewer, id).locator('[data-type]').innerText()).toBe('session · no job');
    await viewer.goto(`${service.url}/sessions`);
    await expect.poll(() => sessionRow(viewer).getAttribute('data-state')).toBe('RUNNING');
    expect(await sessionRow(viewer).locator('code.connect').innerText()).toBe(started.body.connect.sparkConnectUrl);
    expect(await viewer.getByRole('button', { name: /^Stop/ }).count()).toBe(0);
    await expectAccessible(viewer, 'sessions');

    const operator = await (await signedIn(browser, owner)).newPage();
    await operator.goto(`${service.url}/sessions`);
    await expect.poll(() => sessionRow(operator).getAttribute('data-state')).toBe('RUNNING');
    await expectAccessible(operator, 'sessions with a stop button');
    await screenshot(operator, 'sessions');
    await operator.getByRole('button', { name: `Stop ${id}` }).click();
    await operator.getByRole('dialog').getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => sessionRow(operator).getAttribute('data-state'), { timeout: 30_000 }).toBe('KILLED');
    expect((await waitForEnd(service.url, id)).state).toBe('KILLED');
  });
});
