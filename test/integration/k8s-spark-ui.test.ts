/**
 * The live Spark UI of a SparkApplication through the runtime's proxy: the kubernetes back-end
 * reaches spark-operator's UI service through the test API server's service proxy with the
 * kubeconfig's credentials; the API server rewrites the page's links and redirects into its own
 * proxy path, and the runtime's proxy takes that path out again so the browser stays on it.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationChanges } from '../../runtime/apps/application-changes';
import { ApplicationService } from '../../runtime/apps/application-service';
import { ClusterBackends } from '../../runtime/apps/cluster-backends';
import { ClusterHealthMonitor } from '../../runtime/apps/cluster-health';
import { ClusterService } from '../../runtime/apps/cluster-service';
import { InsightsService } from '../../runtime/apps/insights-service';
import { TokenService } from '../../runtime/apps/token-service';
import { kubernetesBackend } from '../../runtime/adapters/k8s/plugin';
import { buildServer } from '../../runtime/adapters/http/server';
import type { Application } from '../../runtime/domain/application';
import { silentLogger } from '../../runtime/domain/ports';
import { JobService, TemplateService } from '../../runtime/jobs/job-service';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver';
import { MemoryStore } from '../support/memory-store';
import { waitFor } from '../support/spark';

const NS = 'spark-apps';
const APP = 'k8s-ui-1';
const UI = `/api/v1/applications/${APP}/spark-ui`;
const HISTORY = 'https://history.dev.example.com';

let kube: FakeKubeApiServer;
let server: FastifyInstance;
let backends: ClusterBackends;
let applications: ApplicationService;
let admin: Record<string, string>;
let driverUi: Server;
const seenByDriver: { url: string; headers: IncomingHttpHeaders }[] = [];

/** A driver's UI as Spark serves it: links under spark.ui.proxyBase, "/" redirected absolutely to "/jobs/". */
async function startDriverUi(): Promise<string> {
  driverUi = createServer((req, res) => {
    seenByDriver.push({ url: req.url ?? '', headers: req.headers });
    if (req.url === '/') {
      res.writeHead(302, { location: `http://${req.headers.host}/jobs/` });
      res.end();
    } else if (req.url === '/jobs/') {
      res.writeHead(200, { 'content-type': 'text/html;charset=utf-8' });
      res.end(
        `<html><head><script src="${UI}/static/webui.js"></script></head>` +
          `<body><h3>${APP} - Spark Jobs</h3><a href="${UI}/stages/">Stages</a></body></html>`,
      );
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[{"id":"spark-0123"}]');
    }
  });
  await new Promise<void>((resolve) => driverUi.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(driverUi.address() as AddressInfo).port}`;
}

const get = (url: string) => server.inject({ method: 'GET', url, headers: admin });
const appState = async () => (await get(`/api/v1/applications/${APP}`)).json<Application>().state;

beforeAll(async () => {
  kube = await FakeKubeApiServer.start();
  const clock = { now: () => new Date() };
  const store = new MemoryStore();
  backends = new ClusterBackends(
    [kubernetesBackend({ kubeConfig: () => kube.kubeConfig(), retry: { baseDelayMs: 10, maxDelayMs: 50 } })],
    { dataDir: '/nowhere', clock, logger: silentLogger },
  );
  const cluster = await store.putCluster({ id: 'dev', backend: 'kubernetes', settings: { historyServerUrl: HISTORY } });
  await backends.start(cluster);
  const health = new ClusterHealthMonitor(() => backends.probes(), { clock, logger: silentLogger });
  applications = new ApplicationService({ store, backends: (id) => backends.backendOf(id), clock });
  const tokens = new TokenService({ store, clock });
  admin = { authorization: `Bearer ${(await tokens.ensureAdminToken())!.secret}` };
  server = await buildServer(
    {
      applications,
      jobs: new JobService({ store, clock }),
      templates: new TemplateService({ store }),
      clusters: new ClusterService({ store, backends, health }),
      tokens,
      insights: new InsightsService({ store, clock }),
      timelines: undefined as never,
      sessions: undefined as never,
      changes: new ApplicationChanges(),
      measurements: { remeasure: () => Promise.reject(new Error('not measured in this test')) },
      clock,
    },
    { validateResponses: true },
  );
  kube.serveService(NS, `${APP}-ui-svc:4040`, await startDriverUi());
});

afterAll(async () => {
  await server?.close();
  await backends?.close();
  await kube?.close();
  await new Promise((resolve) => driverUi?.close(resolve));
});

describe('the Spark UI of a SparkApplication', () => {
  it("is created with the UI under the runtime's proxy path and no kill links", async () => {
    const submitted = await server.inject({
      method: 'POST',
      url: '/api/v1/applications',
      headers: admin,
      payload: {
        clusterId: 'dev',
        jobId: 'k8s-ui',
        appId: APP,
        configOverrides: { type: 'Python', mainApplicationFile: 'local:///opt/app.py' },
      },
    });
    expect(submitted.statusCode, submitted.body).toBe(201);
    const resource = await waitFor('the SparkApplication', () => kube.get(NS, APP), 20_000);
    expect((resource.spec as { sparkConf: Record<string, string> }).sparkConf).toMatchObject({
      'spark.ui.proxyBase': UI,
      'spark.ui.reverseProxy': 'false',
      'spark.ui.killEnabled': 'false',
    });
  });

  it('is refused with the reason while the application is pending', async () => {
    const answer = await get(`${UI}/`);
    expect(answer.statusCode).toBe(409);
    expect(answer.json().detail).toMatch(
      new RegExp(`^application ${APP} is (NEW|PENDING): its Spark UI opens once its driver runs`),
    );
    expect(seenByDriver).toEqual([]);
  });

  it('is served through the API server with its credentials once the driver runs, links and redirects kept on the proxy', async () => {
    kube.setStatus(NS, APP, {
      applicationState: { state: 'RUNNING' },
      lastSubmissionAttemptTime: new Date().toISOString(),
      driverInfo: { webUIServiceName: `${APP}-ui-svc`, webUIPort: 4040 },
    });
    await waitFor('the application to run', async () => (await appState()) === 'RUNNING', 20_000);

    const root = await get(`${UI}/`);
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe(`${UI}/jobs/`);
    const jobs = await get(`${UI}/jobs/`);
    expect(jobs.statusCode).toBe(200);
    expect(jobs.body).toContain(`${APP} - Spark Jobs`);
    expect(jobs.body).toContain(`<a href="${UI}/stages/">`);
    expect(jobs.body).toContain(`<script src="${UI}/static/webui.js">`);
    expect(jobs.body).not.toContain('/proxy/');
    const api = await get(`${UI}/api/v1/applications?status=running`);
    expect(api.json()).toEqual([{ id: 'spark-0123' }]);

    // the API server answered the service proxy: it got the kubeconfig's token; the driver got none
    expect(kube.count('GET', `/api/v1/namespaces/${NS}/services/${APP}-ui-svc:4040/proxy/jobs/`)).toBe(1);
    expect(seenByDriver.map((s) => s.url)).toEqual(['/', '/jobs/', '/api/v1/applications?status=running']);
    for (const seen of seenByDriver) expect(seen.headers.authorization).toBeUndefined();
  });

  it("tells the API server's own refusals from the driver's answers", async () => {
    kube.inject({ method: 'GET', pathIncludes: '/proxy/', status: 403 });
    const forbidden = await get(`${UI}/jobs/`);
    expect(forbidden.statusCode).toBe(503);
    expect(forbidden.json().detail).toContain('they need get on services/proxy');
    kube.inject({ method: 'GET', pathIncludes: '/proxy/', status: 503 });
    const starting = await get(`${UI}/jobs/`);
    expect(starting.statusCode).toBe(503);
    expect(starting.json().detail).toMatch(/^the driver's UI service has no ready endpoint yet/);
    // the driver's own "not found" is its page, passed on
    expect((await get(`${UI}/jobs/`)).statusCode).toBe(200);
  });

  it("names the cluster's History Server once the application ended", async () => {
    kube.setStatus(NS, APP, { applicationState: { state: 'COMPLETED' }, terminationTime: new Date().toISOString() });
    await waitFor('the application to end', async () => (await appState()) === 'COMPLETED', 20_000);
    const answer = await get(`${UI}/jobs/`);
    expect(answer.statusCode).toBe(404);
    // no event-log bucket here, so no Spark application id to link
    expect(answer.json().detail).toContain(`cannot be linked in the History Server at ${HISTORY}`);
  });
});
