/** The browsable API reference in a real browser (Debian's Chromium driven by playwright-core). */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, httpFixture } from '../integration/http-fixture';

const executablePath = process.env.SPARKPLANE_CHROMIUM ?? '/usr/bin/chromium';
let f: HttpFixture;
let browser: Browser;
let base: string;

beforeAll(async () => {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: run scripts/setup.sh --test (or set SPARKPLANE_CHROMIUM)`,
    );
  }
  f = await httpFixture();
  await f.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(f.server.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await f?.server.close();
});

describe('API reference at /docs', () => {
  it('renders the operations of both APIs from the generated OpenAPI document', async () => {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    await page.goto(`${base}/docs`);
    await page.getByText('/api/v1/applications', { exact: true }).first().waitFor({ timeout: 30_000 });
    const text = await page.locator('body').innerText();
    expect(text).toContain('/ocean/spark/cluster/{clusterId}/app');
    expect(text).toContain('/api/v1/jobs/{jobId}/statistics');
    expect(failed).toEqual([]);
  });
});
