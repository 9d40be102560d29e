/** Several clusters, one kubeconfig: each back-end talks to its own context's API server. */
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeConfigFor, parseClusterSettings } from '../../runtime/adapters/k8s/kube-config';
import type { KubernetesSparkBackend } from '../../runtime/adapters/k8s/kubernetes-backend';
import { kubernetesBackend } from '../../runtime/adapters/k8s/plugin';
import type { Application } from '../../runtime/domain/application';
import { type BackendContext, silentLogger } from '../../runtime/domain/ports';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver';

const CONFIG = { mainApplicationFile: 'local:///app.py' };
const app = (id: string, clusterId: string) => ({ id, clusterId, jobId: 'j', state: 'NEW' }) as Application;

const context: BackendContext = { dataDir: '/nowhere', clock: { now: () => new Date() }, logger: silentLogger };
const servers: FakeKubeApiServer[] = [];
let backends = new Map<string, KubernetesSparkBackend>();

afterEach(async () => {
  for (const backend of backends.values()) await backend.close();
  for (const server of servers.splice(0)) await server.close();
});

describe('many clusters by kubeconfig context', () => {
  it('submits each application to the API server of its cluster', async () => {
    servers.push(await FakeKubeApiServer.start(), await FakeKubeApiServer.start());
    const [eu, us] = servers as [FakeKubeApiServer, FakeKubeApiServer];
    const base = new KubeConfig();
    base.loadFromOptions({
      clusters: [
        { name: 'eu', server: eu.url, skipTLSVerify: true },
        { name: 'us', server: us.url, skipTLSVerify: true },
      ],
      users: [{ name: 'u', token: 't' }],
      contexts: [
        { name: 'prod-eu', cluster: 'eu', user: 'u' },
        { name: 'prod-us', cluster: 'us', user: 'u' },
      ],
      currentContext: 'prod-eu',
    });
    // one plug-in, one kubeconfig; each cluster names its context
    const plugin = kubernetesBackend({ kubeConfig: () => base });
    const create = (id: string, settings: Record<string, unknown>) =>
      plugin.create({ id, settings: plugin.settings.parse(settings) }, context);
    backends = new Map([
      ['eu', await create('eu', { context: 'prod-eu' })],
      ['us', await create('us', { context: 'prod-us', namespace: 'spark' })],
    ]);
    await backends.get('eu')!.submit(app('a-eu', 'eu'), CONFIG);
    await backends.get('us')!.submit(app('a-us', 'us'), CONFIG);
    expect(eu.get('spark-apps', 'a-eu')).toBeDefined();
    expect(eu.get('spark', 'a-us')).toBeUndefined();
    expect(us.get('spark', 'a-us')?.metadata.labels).toMatchObject({ 'sparkplane.io/cluster-id': 'us' });
    expect(await plugin.probe!(backends.get('us')!)).toMatchObject({
      state: 'AVAILABLE',
      kubernetesVersion: 'v1.33.2',
    });
  });

  it('names the bad setting: an unknown context, a bad namespace', async () => {
    const base = new KubeConfig();
    base.loadFromOptions({
      clusters: [{ name: 'c', server: 'http://127.0.0.1:1' }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'only', cluster: 'c', user: 'u' }],
      currentContext: 'only',
    });
    expect(() => kubeConfigFor('nope', base)).toThrow(
      'settings.context: "nope" is not a context of the kubeconfig (contexts: only)',
    );
    const plugin = kubernetesBackend({ kubeConfig: () => base });
    await expect(
      (async () => plugin.create({ id: 'x', settings: plugin.settings.parse({ context: 'nope' }) }, context))(),
    ).rejects.toThrow(/^settings\.context: "nope" is not a context/);
    expect(() => parseClusterSettings({ namespace: '' })).toThrow(/^settings\.namespace: /);
    expect(() => parseClusterSettings({ eventLogBucketUrl: 'http://x' })).toThrow(
      /settings\.eventLogBucketUrl: "http:\/\/x" is not an s3a:\/\/ or gs:\/\/ URL/,
    );
  });
});
