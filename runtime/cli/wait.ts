/** Waiting for an application to end (`submit --wait`, `apps wait`), following its state and driver log. */
import type { Application } from '../domain/application';
import type { Cli } from './context';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How often the state is read. */
const POLL_MS = 1000;
/**
 * How long to wait, after the end, for the metrics the runtime reads from the event log just after
 * it records the end: a run that never wrote a log (it failed before Spark started) has none.
 */
const METRICS_WAIT_MS = 5000;

/**
 * Resolves with the ended application, with its metrics when they come within METRICS_WAIT_MS,
 * and whether it succeeded. For people, prints each state change and the driver log as it comes.
 */
export async function waitForEnd(cli: Cli, id: string): Promise<{ app: Application; succeeded: boolean }> {
  // the domain's states come with their schema (zod): loaded here only, where a wait is long anyway
  const { isTerminal, SUCCESSFUL_STATES } = await import('../domain/states');
  const client = cli.client();
  const human = cli.forPeople();
  const stopLog = new AbortController();
  const following = human ? followLog(cli, id, stopLog.signal) : Promise.resolve();
  try {
    let state = '';
    for (;;) {
      const app = await client.application(id);
      if (app.state !== state) {
        state = app.state;
        if (human) console.log(`[${new Date().toISOString()}] ${id}: ${state}`);
      }
      if (isTerminal(app.state)) {
        const ended = app.metrics ? app : await withMetrics(cli, app);
        return { app: ended, succeeded: SUCCESSFUL_STATES.has(ended.state) };
      }
      await sleep(POLL_MS);
    }
  } finally {
    stopLog.abort();
    await following.catch(() => undefined);
  }
}

async function withMetrics(cli: Cli, ended: Application): Promise<Application> {
  const until = Date.now() + METRICS_WAIT_MS;
  let app = ended;
  while (!app.metrics && Date.now() < until) {
    await sleep(POLL_MS / 2);
    app = await cli.client().application(ended.id);
  }
  return app;
}

async function followLog(cli: Cli, id: string, signal: AbortSignal): Promise<void> {
  for await (const line of cli.client().log(id, { follow: true, signal })) console.log(`  | ${line}`);
}
