/**
 * Time to the first meaningful paint of the Applications, a Job and the Costs pages in Chromium:
 * each page sets the performance mark `sparkplane:paint:<page>` after the frame that shows its
 * first data (rows, figures), so the figure is the mark's time since navigation start. Imported by
 * bench/dashboard.ts; the runtime at `baseUrl` must serve the built dashboards.
 */
import { chromium, type Page } from 'playwright-core';

const CHROMIUM = process.env.SPARKPLANE_CHROMIUM ?? '/usr/bin/chromium';

async function paintOf(page: Page, url: string, mark: string): Promise<number> {
  await page.goto(url);
  const handle = await page.waitForFunction(
    `(() => { const e = performance.getEntriesByName(${JSON.stringify(mark)})[0]; return e ? e.startTime : undefined; })()`,
    undefined,
    { timeout: 60_000 },
  );
  return Math.round((await handle.jsonValue()) as number);
}

export async function measurePaint(
  baseUrl: string,
  token: string,
): Promise<{ applicationsMs: number; jobMs: number; costsMs: number }> {
  const jobs = await fetch(new URL('/api/v1/jobs?limit=1', baseUrl), { headers: { authorization: `Bearer ${token}` } });
  if (!jobs.ok)
    throw new Error(
      `GET /api/v1/jobs answered ${jobs.status}: is ${baseUrl} a sparkplane runtime and the token valid?`,
    );
  const jobId = ((await jobs.json()) as { items: { id: string }[] }).items[0]?.id;
  if (!jobId) throw new Error('the runtime has no job to open');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    await context.addInitScript({ content: `sessionStorage.setItem('sparkplane.token', ${JSON.stringify(token)})` });
    // a first visit fills the browser cache, as a returning user's would be
    const warm = await context.newPage();
    await paintOf(warm, new URL('/applications', baseUrl).href, 'sparkplane:paint:applications');
    await warm.close();
    const measure = async (path: string, mark: string) => {
      const page = await context.newPage();
      try {
        return await paintOf(page, new URL(path, baseUrl).href, mark);
      } finally {
        await page.close();
      }
    };
    return {
      applicationsMs: await measure('/applications', 'sparkplane:paint:applications'),
      jobMs: await measure(`/jobs/${encodeURIComponent(jobId)}`, 'sparkplane:paint:job'),
      costsMs: await measure('/costs?days=30', 'sparkplane:paint:costs'),
    };
  } finally {
    await browser.close();
  }
}
