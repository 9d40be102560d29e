/**
 * A Kubernetes API server for tests: real HTTP on 127.0.0.1, speaking the REST protocol the
 * kubernetes back-end uses (sparkapplications create/get/list/delete/watch with resourceVersion,
 * pods/log with follow, /version, the node list, the CRD, Services (create/get/delete), the service proxy; sparkconnects (sessions)
 * the same way). It stands in for spark-operator too: tests set the status of a SparkApplication or a
 * SparkConnect as the operator would, and the driver pods it creates (setPod: list, get, watch). SparkJobs (sparkplane.io) are served with their status subresource. Faults (status codes, delays, dropped
 * watches, expired resource versions) are injected per request.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

type KubeObject = {
  metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
} & Record<string, unknown>;
type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface HistoryEvent {
  resourceVersion: number;
  type: WatchEventType;
  object: KubeObject;
}

export interface Fault {
  method?: string;
  /** Matches when the request path (with query) contains this text. */
  pathIncludes?: string;
  /** Answer this status with a Kubernetes Status body; absent: serve normally (after delayMs). */
  status?: number;
  delayMs?: number;
  headers?: Record<string, string>;
  /** How many requests this fault applies to. @default 1 */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
}

const SPARK_PATH =
  /^\/apis\/sparkoperator\.k8s\.io\/(?:v1beta2\/namespaces\/([^/]+)\/sparkapplications|v1alpha1\/namespaces\/([^/]+)\/sparkconnects)(?:\/([^/]+))?$/;
/** sparkplane's SparkJobs, with their status subresource. */
const SPARK_JOB_PATH = /^\/apis\/sparkplane\.io\/v1alpha1\/namespaces\/([^/]+)\/sparkjobs(?:\/([^/]+)(\/status)?)?$/;
const POD_LOG_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/;
const POD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/;
const EVENTS_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/events$/;
const CRD_PATH = /^\/apis\/apiextensions\.k8s\.io\/v1\/customresourcedefinitions\/([^/]+)$/;
const DEPLOYMENTS_PATH = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments$/;
const SERVICES_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/services(?:\/([^/]+))?$/;
const SERVICE_PROXY_PATH = /^(\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy)(\/.*)?$/;

function statusBody(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function matchesSelector(object: KubeObject, selector: string | null): boolean {
  if (!selector) return true;
  const labels = (object.metadata.labels ?? {}) as Record<string, string>;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return key !== undefined && labels[key] === value;
  });
}

interface PodLog {
  text: string;
  ended: boolean;
  followers: Set<ServerResponse>;
}

export class FakeKubeApiServer {
  readonly requests: RecordedRequest[] = [];
  /** SparkApplication creation requests per "namespace/name", and those that created it (201). */
  readonly createAttempts = new Map<string, number>();
  readonly created = new Map<string, number>();
  /** Answered by /version. */
  version = { major: '1', minor: '33', gitVersion: 'v1.33.2' };
  /** Whether the spark-operator CRD is installed. */
  crdInstalled = true;
  /**
   * spark-operator's Deployments (namespace spark-operator, as its chart labels them): the controller
   * and the webhook with their available replicas. @default both running, version 2.5.0
   */
  operator: { component: 'controller' | 'webhook'; available: number; replicas?: number }[] = [
    { component: 'controller', available: 1 },
    { component: 'webhook', available: 1 },
  ];
  /** Answered by GET /api/v1/nodes: each node's name and whether its Ready condition is True. */
  nodes: { name: string; ready: boolean }[] = [
    { name: 'node-a', ready: true },
    { name: 'node-b', ready: true },
    { name: 'node-c', ready: false },
  ];
  private readonly objects = new Map<string, KubeObject>();
  /** SparkJobs by "namespace/name", with their own watches (the kind apart from SparkApplications). */
  private readonly sparkJobs = new Map<string, KubeObject>();
  private readonly sparkJobWatches = new Set<{ res: ServerResponse; namespace: string }>();
  private readonly sparkJobHistory: HistoryEvent[] = [];
  /** The port it listens on, kept through an outage (pause/resume). */
  private port = 0;
  private readonly history: HistoryEvent[] = [];
  private readonly watches = new Set<{
    res: ServerResponse;
    kind: string;
    namespace: string;
    selector: string | null;
  }>();
  private readonly podLogs = new Map<string, PodLog>();
  private readonly events: Record<string, unknown>[] = [];
  private readonly faults: (Fault & { times: number })[] = [];
  /** The Services created through the API, by "namespace/name". */
  private readonly serviceObjects = new Map<string, KubeObject>();
  /** What answers behind the service proxy, by "namespace/name:port". */
  private readonly services = new Map<string, string>();
  /** The creation time it stamps on objects; a test with a manual clock sets it. */
  now: () => Date = () => new Date();
  /** The Authorization header the service proxy requires (the kubeconfig's user). */
  readonly bearerToken = 'test-token';
  private revision = 100;
  /** Watches from a resourceVersion below this one get 410 Gone. */
  private oldestWatchableRevision = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeKubeApiServer> {
    const server = createServer();
    const fake = new FakeKubeApiServer(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo | null)?.port ?? this.port}`;
  }

  /** A KubeConfig whose current context is this server. */
  kubeConfig(contextName = 'fake'): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: contextName, server: this.url, skipTLSVerify: true }],
      users: [{ name: 'tester', token: 'test-token' }],
      contexts: [{ name: contextName, cluster: contextName, user: 'tester', namespace: 'spark-apps' }],
      currentContext: contextName,
    });
    return kc;
  }

  /**
   * Serves the service `name:port` (a port number, as the proxy path names it) from `upstreamUrl`,
   * as the endpoints of a ClusterIP service would answer the API server's service proxy.
   */
  serveService(namespace: string, nameAndPort: string, upstreamUrl: string): void {
    this.services.set(`${namespace}/${nameAndPort}`, upstreamUrl);
  }

  /** Makes the next matching request(s) fail or wait. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Closes every open watch connection abruptly, as a load balancer or an API server restart would. */
  dropWatches(): void {
    for (const watch of [...this.watches, ...this.sparkJobWatches]) watch.res.socket?.destroy();
    this.watches.clear();
    this.sparkJobWatches.clear();
  }

  /** Forgets the event history: watches from an older resourceVersion get 410 Gone. */
  compactHistory(): void {
    this.oldestWatchableRevision = this.revision + 1;
    this.history.length = 0;
  }

  /** Changes a resource without telling open watches (as a watch missing an event would see it). */
  setStatusSilently(namespace: string, name: string, status: Record<string, unknown>): void {
    const object = this.mustGet(namespace, name);
    object.status = status;
    object.metadata.resourceVersion = String(++this.revision);
  }

  /** What spark-operator does: writes the status and notifies watches. */
  setStatus(namespace: string, name: string, status: Record<string, unknown>): void {
    const object = this.mustGet(namespace, name);
    object.status = status;
    this.record('MODIFIED', object);
  }

  /** Deletes a resource as another client (kubectl, TTL) would. */
  deleteObject(namespace: string, name: string): void {
    const object = this.mustGet(namespace, name);
    this.objects.delete(`${namespace}/${name}`);
    this.record('DELETED', object);
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }

  count(method: string, pathIncludes: string): number {
    return this.requests.filter((r) => r.method === method && r.path.includes(pathIncludes)).length;
  }

  /**
   * Creates or replaces a pod (as spark-operator and the kubelet would: its labels, status
   * conditions and container states) and notifies watches of pods.
   */
  setPod(
    namespace: string,
    pod: { metadata: { name: string; labels?: Record<string, string> }; status?: unknown },
  ): void {
    const key = `${namespace}/pods/${pod.metadata.name}`;
    const existing = this.objects.get(key);
    const object: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      ...structuredClone(pod),
      metadata: {
        ...structuredClone(pod.metadata),
        namespace,
        uid: `uid-${pod.metadata.name}`,
        creationTimestamp: (existing?.metadata.creationTimestamp as string | undefined) ?? this.now().toISOString(),
      },
    };
    this.objects.set(key, object);
    this.record(existing ? 'MODIFIED' : 'ADDED', object);
  }

  pod(namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(`${namespace}/pods/${name}`);
  }

  /** Appends to a pod's log (creating the pod); followers receive the text at once. */
  appendPodLog(namespace: string, pod: string, text: string): void {
    const log = this.podLog(namespace, pod);
    log.text += text;
    for (const res of log.followers) res.write(text);
  }

  /** The pod's container ended: followers' streams end. */
  endPodLog(namespace: string, pod: string): void {
    const log = this.podLog(namespace, pod);
    log.ended = true;
    for (const res of log.followers) res.end();
    log.followers.clear();
  }

  /** Records a Kubernetes event about an object (as the scheduler or kubelet would). */
  addEvent(
    namespace: string,
    event: { kind: string; name: string; type?: string; reason: string; message: string; time: string },
  ): void {
    this.events.push({
      metadata: { name: `${event.name}.${this.events.length}`, namespace, creationTimestamp: event.time },
      involvedObject: { kind: event.kind, name: event.name, namespace },
      type: event.type ?? 'Normal',
      reason: event.reason,
      message: event.message,
      lastTimestamp: event.time,
    });
  }

  /** An outage: connections are refused until resume(); what the server holds is kept. */
  async pause(): Promise<void> {
    this.port = (this.server.address() as AddressInfo).port;
    await this.close();
  }

  /** Listens again on the port it had before pause(). */
  async resume(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    this.dropWatches();
    for (const log of this.podLogs.values()) for (const res of log.followers) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private podLog(namespace: string, pod: string): PodLog {
    const key = `${namespace}/${pod}`;
    let log = this.podLogs.get(key);
    if (!log) {
      log = { text: '', ended: false, followers: new Set() };
      this.podLogs.set(key, log);
    }
    return log;
  }

  private mustGet(namespace: string, name: string): KubeObject {
    const object = this.get(namespace, name);
    if (!object) throw new Error(`no SparkApplication ${namespace}/${name}`);
    return object;
  }

  private record(type: WatchEventType, object: KubeObject): void {
    object.metadata.resourceVersion = String(++this.revision);
    const snapshot = structuredClone(object);
    this.history.push({ resourceVersion: this.revision, type, object: snapshot });
    for (const watch of this.watches) {
      if (
        watch.kind === object.kind &&
        watch.namespace === object.metadata.namespace &&
        matchesSelector(snapshot, watch.selector)
      ) {
        watch.res.write(`${JSON.stringify({ type, object: snapshot })}\n`);
      }
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push({ method, path: `${url.pathname}${url.search}` });
    const fault = this.faults.find(
      (f) =>
        (!f.method || f.method === method) &&
        (!f.pathIncludes || `${url.pathname}${url.search}`.includes(f.pathIncludes)),
    );
    if (fault) {
      if (--fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (res.destroyed) return;
      if (fault.status) {
        return this.send(
          res,
          fault.status,
          statusBody(fault.status, 'Injected', `injected ${fault.status}`),
          fault.headers,
        );
      }
    }
    const body = method === 'POST' || method === 'PUT' ? await readJson(req) : undefined;
    let match: RegExpExecArray | null;
    if (url.pathname === '/version') return this.send(res, 200, { ...this.version, platform: 'linux/amd64' });
    if (url.pathname === '/api/v1/nodes') return this.serveNodes(res);
    if ((match = SERVICE_PROXY_PATH.exec(url.pathname))) {
      return this.proxyService(req, res, match[1]!, `${match[2]}/${match[3]}`, `${match[4] ?? '/'}${url.search}`);
    }
    if ((match = SERVICES_PATH.exec(url.pathname))) return this.serveServices(method, res, match[1]!, match[2], body);
    if ((match = CRD_PATH.exec(url.pathname))) return this.serveCrd(res, match[1]!);
    if ((match = DEPLOYMENTS_PATH.exec(url.pathname))) return this.serveDeployments(res, match[1]!, url);
    if ((match = EVENTS_PATH.exec(url.pathname))) return this.serveEvents(res, match[1]!, url);
    if ((match = POD_LOG_PATH.exec(url.pathname))) return this.servePodLog(res, match[1]!, match[2]!, url);
    if ((match = POD_PATH.exec(url.pathname)) && method === 'GET') return this.servePods(res, match[1]!, match[2], url);
    if ((match = SPARK_JOB_PATH.exec(url.pathname)))
      return this.serveSparkJobs(method, res, match[1]!, match[2], match[3] !== undefined, url, body);
    if ((match = SPARK_PATH.exec(url.pathname))) {
      const kind = match[1] !== undefined ? 'SparkApplication' : 'SparkConnect';
      return this.serveSparkApplications(req, res, kind, (match[1] ?? match[2])!, match[3], url, body);
    }
    this.send(
      res,
      404,
      statusBody(404, 'NotFound', `the server could not find the requested resource ${url.pathname}`),
    );
  }

  /** A Service created through the API, as stored. */
  service(namespace: string, name: string): KubeObject | undefined {
    return this.serviceObjects.get(`${namespace}/${name}`);
  }

  private serveServices(
    method: string,
    res: ServerResponse,
    namespace: string,
    name: string | undefined,
    body: unknown,
  ): void {
    const notFound = (n: string) => this.send(res, 404, statusBody(404, 'NotFound', `services "${n}" not found`));
    if (method === 'POST' && !name) {
      const object = body as KubeObject;
      const key = `${namespace}/${object.metadata.name}`;
      if (this.serviceObjects.has(key)) {
        return this.send(
          res,
          409,
          statusBody(409, 'AlreadyExists', `services "${object.metadata.name}" already exists`),
        );
      }
      object.metadata.namespace = namespace;
      object.metadata.uid = `uid-service-${object.metadata.name}`;
      this.serviceObjects.set(key, object);
      return this.send(res, 201, object);
    }
    if (!name) return this.send(res, 405, statusBody(405, 'MethodNotAllowed', `${method} is not supported here`));
    const existing = this.serviceObjects.get(`${namespace}/${name}`);
    if (!existing) return notFound(name);
    if (method === 'GET') return this.send(res, 200, existing);
    if (method === 'DELETE') {
      this.serviceObjects.delete(`${namespace}/${name}`);
      return this.send(res, 200, existing);
    }
    this.send(res, 405, statusBody(405, 'MethodNotAllowed', `${method} is not supported here`));
  }

  private serveDeployments(res: ServerResponse, namespace: string, url: URL): void {
    const all =
      namespace !== 'spark-operator'
        ? []
        : this.operator.map((d) => ({
            metadata: {
              name: `spark-operator-${d.component}`,
              namespace,
              labels: {
                'app.kubernetes.io/name': 'spark-operator',
                'app.kubernetes.io/component': d.component,
                'app.kubernetes.io/version': '2.5.0',
              },
            },
            spec: { replicas: d.replicas ?? 1 },
            status: { replicas: d.replicas ?? 1, availableReplicas: d.available },
          }));
    const items = all.filter((d) => matchesSelector(d as KubeObject, url.searchParams.get('labelSelector')));
    this.send(res, 200, { apiVersion: 'apps/v1', kind: 'DeploymentList', metadata: { resourceVersion: '1' }, items });
  }

  private serveNodes(res: ServerResponse): void {
    const items = this.nodes.map((node) => ({
      metadata: { name: node.name },
      status: { conditions: [{ type: 'Ready', status: node.ready ? 'True' : 'False' }] },
    }));
    this.send(res, 200, {
      kind: 'NodeList',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(this.revision) },
      items,
    });
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  /**
   * The service proxy as kube-apiserver's (k8s.io/apimachinery/pkg/util/proxy/transport.go): it
   * needs the caller's credentials, and rewrites a redirect and the root-relative links of an HTML
   * page to go through its own path (redirects absolute, on the host the caller named).
   */
  private proxyService(req: IncomingMessage, res: ServerResponse, prefix: string, service: string, path: string): void {
    if (req.headers.authorization !== `Bearer ${this.bearerToken}`) {
      return this.send(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
    }
    const upstream = this.services.get(service);
    if (!upstream)
      return this.send(
        res,
        503,
        statusBody(503, 'ServiceUnavailable', `no endpoints available for service "${service}"`),
      );
    const { authorization: _credentials, host: _host, ...headers } = req.headers;
    void _credentials;
    void _host;
    const forwarded = request(`${upstream}${path}`, { method: req.method, headers }, (answer) => {
      const out = { ...answer.headers };
      const upstreamHost = new URL(upstream).host;
      if (typeof out.location === 'string') {
        const target = new URL(out.location, `${upstream}${path}`);
        if (target.host === upstreamHost)
          out.location = `http://${req.headers.host}${prefix}${target.pathname}${target.search}`;
      }
      if (!String(out['content-type'] ?? '').startsWith('text/html')) {
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const html = Buffer.concat(chunks)
          .toString('utf8')
          .replace(
            /(href|src)="(\/[^"]*)"/g,
            (_m, attribute: string, link: string) => `${attribute}="${prefix}${link}"`,
          );
        delete out['content-length'];
        res.writeHead(answer.statusCode ?? 502, out);
        res.end(html);
      });
    });
    forwarded.on('error', (error) => this.send(res, 503, statusBody(503, 'ServiceUnavailable', error.message)));
    forwarded.end();
  }

  private serveEvents(res: ServerResponse, namespace: string, url: URL): void {
    const wanted = /^involvedObject\.name=(.+)$/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1];
    const items = this.events.filter((e) => {
      const involved = e.involvedObject as { name: string; namespace: string };
      return involved.namespace === namespace && (wanted === undefined || involved.name === wanted);
    });
    this.send(res, 200, {
      apiVersion: 'v1',
      kind: 'EventList',
      metadata: { resourceVersion: String(this.revision) },
      items,
    });
  }

  private serveCrd(res: ServerResponse, name: string): void {
    if (!this.crdInstalled || name !== 'sparkapplications.sparkoperator.k8s.io') {
      return this.send(res, 404, statusBody(404, 'NotFound', `customresourcedefinitions "${name}" not found`));
    }
    this.send(res, 200, {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name, labels: { 'app.kubernetes.io/version': '2.5.0' } },
      spec: {
        group: 'sparkoperator.k8s.io',
        names: { kind: 'SparkApplication', plural: 'sparkapplications' },
        scope: 'Namespaced',
        versions: [{ name: 'v1beta2', served: true, storage: true }],
      },
    });
  }

  private servePods(res: ServerResponse, namespace: string, name: string | undefined, url: URL): void {
    if (name) {
      const pod = this.pod(namespace, name);
      return pod
        ? this.send(res, 200, pod)
        : this.send(res, 404, statusBody(404, 'NotFound', `pods "${name}" not found`));
    }
    const selector = url.searchParams.get('labelSelector');
    if (url.searchParams.get('watch') === 'true') return this.serveWatch(res, 'Pod', namespace, selector, url);
    const items = [...this.objects.values()].filter(
      (o) => o.kind === 'Pod' && o.metadata.namespace === namespace && matchesSelector(o, selector),
    );
    this.send(res, 200, {
      apiVersion: 'v1',
      kind: 'PodList',
      metadata: { resourceVersion: String(this.revision) },
      items,
    });
  }

  private servePodLog(res: ServerResponse, namespace: string, pod: string, url: URL): void {
    const log = this.podLogs.get(`${namespace}/${pod}`);
    if (!log) return this.send(res, 404, statusBody(404, 'NotFound', `pods "${pod}" not found`));
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.flushHeaders();
    if (url.searchParams.get('follow') !== 'true' || log.ended) {
      res.end(log.text);
      return;
    }
    res.write(log.text);
    log.followers.add(res);
    res.on('close', () => log.followers.delete(res));
  }

  /** SparkApplications or SparkConnects (by `kind`): one name space of objects, each served by its own path. */
  private serveSparkApplications(
    req: IncomingMessage,
    res: ServerResponse,
    kind: 'SparkApplication' | 'SparkConnect',
    namespace: string,
    name: string | undefined,
    url: URL,
    body: unknown,
  ): void {
    const method = req.method ?? 'GET';
    const plural = `${kind.toLowerCase()}s.sparkoperator.k8s.io`;
    const ofKind = (o: KubeObject | undefined) => (o?.kind === kind ? o : undefined);
    if (method === 'POST' && !name) {
      const object = body as KubeObject;
      const key = `${namespace}/${object.metadata.name}`;
      this.createAttempts.set(key, (this.createAttempts.get(key) ?? 0) + 1);
      if (this.objects.has(key)) {
        return this.send(
          res,
          409,
          statusBody(409, 'AlreadyExists', `${plural} "${object.metadata.name}" already exists`),
        );
      }
      object.metadata.namespace = namespace;
      object.metadata.uid = `uid-${object.metadata.name}`;
      object.metadata.creationTimestamp = this.now().toISOString();
      this.objects.set(key, object);
      this.created.set(key, (this.created.get(key) ?? 0) + 1);
      this.record('ADDED', object);
      return this.send(res, 201, object);
    }
    if (method === 'GET' && name) {
      const object = ofKind(this.get(namespace, name));
      if (!object) return this.send(res, 404, statusBody(404, 'NotFound', `${plural} "${name}" not found`));
      return this.send(res, 200, object);
    }
    if (method === 'DELETE' && name) {
      if (!ofKind(this.get(namespace, name))) {
        return this.send(res, 404, statusBody(404, 'NotFound', `${plural} "${name}" not found`));
      }
      this.deleteObject(namespace, name);
      return this.send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name } });
    }
    if (method === 'GET' && !name) {
      const selector = url.searchParams.get('labelSelector');
      if (url.searchParams.get('watch') === 'true') return this.serveWatch(res, kind, namespace, selector, url);
      const items = [...this.objects.values()].filter(
        (o) => o.kind === kind && o.metadata.namespace === namespace && matchesSelector(o, selector),
      );
      return this.send(res, 200, {
        apiVersion: kind === 'SparkApplication' ? 'sparkoperator.k8s.io/v1beta2' : 'sparkoperator.k8s.io/v1alpha1',
        kind: `${kind}List`,
        metadata: { resourceVersion: String(this.revision) },
        items,
      });
    }
    this.send(res, 405, statusBody(405, 'MethodNotAllowed', `${method} is not supported here`));
  }

  /** A SparkJob as the API server holds it. */
  sparkJob(namespace: string, name: string): KubeObject | undefined {
    return this.sparkJobs.get(`${namespace}/${name}`);
  }

  private recordSparkJob(type: WatchEventType, object: KubeObject): void {
    object.metadata.resourceVersion = String(++this.revision);
    this.sparkJobHistory.push({ resourceVersion: this.revision, type, object: structuredClone(object) });
    for (const watch of this.sparkJobWatches) {
      if (watch.namespace === object.metadata.namespace) watch.res.write(`${JSON.stringify({ type, object })}\n`);
    }
  }

  /**
   * SparkJobs as a CRD with a status subresource: create sets generation 1, a change of spec
   * bumps it; a status update changes the status alone.
   */
  private serveSparkJobs(
    method: string,
    res: ServerResponse,
    namespace: string,
    name: string | undefined,
    status: boolean,
    url: URL,
    body: unknown,
  ): void {
    const key = (n: string) => `${namespace}/${n}`;
    const notFound = (n: string) => this.send(res, 404, statusBody(404, 'NotFound', `sparkjobs "${n}" not found`));
    if (!name && method === 'GET' && url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      // what changed since the list the client watches from, then what changes
      const from = Number(url.searchParams.get('resourceVersion') ?? 0);
      for (const event of this.sparkJobHistory) {
        if (event.resourceVersion > from && event.object.metadata.namespace === namespace)
          res.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
      }
      const watch = { res, namespace };
      this.sparkJobWatches.add(watch);
      res.on('close', () => this.sparkJobWatches.delete(watch));
      const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? 0);
      if (timeoutSeconds > 0) {
        const timer = setTimeout(() => res.end(), timeoutSeconds * 1000);
        res.on('close', () => clearTimeout(timer));
      }
      return;
    }
    if (!name && method === 'GET') {
      const items = [...this.sparkJobs.values()].filter((o) => o.metadata.namespace === namespace);
      return this.send(res, 200, {
        apiVersion: 'sparkplane.io/v1alpha1',
        kind: 'SparkJobList',
        metadata: { resourceVersion: String(this.revision) },
        items,
      });
    }
    if (!name && method === 'POST') {
      const object = structuredClone(body) as KubeObject;
      if (this.sparkJobs.has(key(object.metadata.name)))
        return this.send(
          res,
          409,
          statusBody(409, 'AlreadyExists', `sparkjobs "${object.metadata.name}" already exists`),
        );
      object.metadata = { ...object.metadata, namespace, generation: 1 };
      delete object.status;
      this.sparkJobs.set(key(object.metadata.name), object);
      this.recordSparkJob('ADDED', object);
      return this.send(res, 201, object);
    }
    if (!name) return this.send(res, 405, statusBody(405, 'MethodNotAllowed', `${method} is not supported here`));
    const existing = this.sparkJobs.get(key(name));
    if (!existing) return notFound(name);
    if (method === 'GET') return this.send(res, 200, existing);
    if (method === 'PUT') {
      const update = body as KubeObject;
      if (status) existing.status = update.status;
      else {
        if (JSON.stringify(existing.spec) !== JSON.stringify(update.spec))
          existing.metadata.generation = Number(existing.metadata.generation ?? 1) + 1;
        existing.spec = update.spec;
      }
      this.recordSparkJob('MODIFIED', existing);
      return this.send(res, 200, existing);
    }
    this.send(res, 405, statusBody(405, 'MethodNotAllowed', `${method} is not supported here`));
  }

  private serveWatch(res: ServerResponse, kind: string, namespace: string, selector: string | null, url: URL): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders(); // as kube-apiserver: the client sees the watch open before any event
    const from = url.searchParams.get('resourceVersion');
    const write = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
    if (from && from !== '0' && Number(from) < this.oldestWatchableRevision - 1) {
      // what kube-apiserver does: a 200 stream carrying one ERROR event with a 410 Status
      write('ERROR', statusBody(410, 'Expired', `too old resource version: ${from} (${this.oldestWatchableRevision})`));
      res.end();
      return;
    }
    const wanted = (o: KubeObject) =>
      o.kind === kind && o.metadata.namespace === namespace && matchesSelector(o, selector);
    if (!from || from === '0') {
      for (const object of this.objects.values()) if (wanted(object)) write('ADDED', object);
    } else {
      for (const event of this.history) {
        if (event.resourceVersion > Number(from) && wanted(event.object)) write(event.type, event.object);
      }
    }
    const watch = { res, kind, namespace, selector };
    this.watches.add(watch);
    res.on('close', () => this.watches.delete(watch));
    const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    if (timeoutSeconds > 0) {
      const timer = setTimeout(() => res.end(), timeoutSeconds * 1000);
      res.on('close', () => clearTimeout(timer));
    }
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}
