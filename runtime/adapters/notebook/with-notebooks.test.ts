import { describe, expect, it } from 'vitest';
import type { Application } from '../../domain/application';
import type { BackendListener, BackendStatus, ConnectEndpoint, SparkBackend } from '../../domain/ports';
import type { NotebookBackend } from './notebook-backend';
import { withNotebooks } from './with-notebooks';

/** A back-end with every method of the port, each answering its own name. */
function fullBackend(): Required<SparkBackend> {
  const answer = (name: string) => () => name as never;
  return {
    kind: 'inner',
    historyServerUrl: 'http://history',
    notebookSparkConnect: false,
    submit: answer('submit'),
    refusal: answer('refusal'),
    problems: answer('problems'),
    kill: answer('kill'),
    status: answer('status'),
    driverLog: answer('driverLog'),
    kubeEvents: answer('kubeEvents'),
    sparkUiTarget: answer('sparkUiTarget'),
    connectEndpoint: answer('connectEndpoint'),
    capacity: answer('capacity'),
    demandOf: answer('demandOf'),
    eventLogPath: answer('eventLogPath'),
    onStatus: answer('onStatus'),
    close: answer('close'),
  };
}

describe('withNotebooks', () => {
  it("keeps every method of the cluster's back-end, so none is lost for batch applications and sessions", async () => {
    const inner = fullBackend();
    const wrapped = withNotebooks(inner, {} as NotebookBackend) as unknown as Record<string, unknown>;
    const batch = { id: 'a', type: 'batch' } as Application;
    for (const [name, method] of Object.entries(inner)) {
      expect(wrapped, name).toHaveProperty(name);
      if (typeof method !== 'function' || name === 'onStatus') continue;
      const called = (wrapped[name] as (...args: unknown[]) => unknown)(batch, {}, {});
      expect(await called, name).toBe(name);
    }
  });
});

/** A cluster back-end that runs notebooks' Spark as Spark Connect servers, recording the calls it gets. */
function sparkConnectCluster() {
  const listeners: BackendListener[] = [];
  const calls: string[] = [];
  const inner = {
    kind: 'kubernetes',
    notebookSparkConnect: true,
    submit: async (app: Application) => {
      calls.push(`submit ${app.id} ${app.backendRef ?? '-'}`);
      return { backendRef: `ns/${app.id}` };
    },
    kill: async (app: Application) => void calls.push(`kill ${app.id} ${app.backendRef ?? '-'}`),
    connectEndpoint: async () => ({ host: '10.0.0.7', port: 15002 }),
    onStatus: (listener: BackendListener) => void listeners.push(listener),
  } as unknown as SparkBackend;
  const kernelListeners: BackendListener[] = [];
  const notebooks = {
    submit: async (app: Application, _config: unknown, endpoint?: ConnectEndpoint) => {
      calls.push(`kernel ${app.id} sc://${endpoint?.host}:${endpoint?.port}`);
      return { backendRef: 'kernel-1' };
    },
    kill: async (app: Application) => void calls.push(`kernel kill ${app.id}`),
    onStatus: (listener: BackendListener) => void kernelListeners.push(listener),
  } as unknown as NotebookBackend;
  const emit = (to: BackendListener[], appId: string, status: BackendStatus) => to.forEach((l) => l(appId, status));
  return {
    wrapped: withNotebooks(inner, notebooks),
    calls,
    serverEnds: (appId: string, status: BackendStatus) => emit(listeners, appId, status),
    kernelEnds: (appId: string, status: BackendStatus) => emit(kernelListeners, appId, status),
  };
}

describe('withNotebooks on a cluster that runs Spark Connect servers', () => {
  const notebook = (id: string) => ({ id, type: 'notebook', backendRef: 'kernel-1' }) as Application;

  it("starts the notebook's server first, then its kernel as a client of where it answers; the kernel's end deletes the server", async () => {
    const cluster = sparkConnectCluster();
    expect(await cluster.wrapped.submit({ id: 'nb-1', type: 'notebook' } as Application, {})).toEqual({
      backendRef: 'kernel-1',
    });
    cluster.kernelEnds('nb-1', { state: 'COMPLETED' });
    await new Promise((resolve) => setImmediate(resolve));
    // the cluster never sees the kernel's reference as its own
    expect(cluster.calls).toEqual(['submit nb-1 -', 'kernel nb-1 sc://10.0.0.7:15002', 'kill nb-1 -']);
  });

  it('ends the kernel when its server ends first, and kills both when the notebook is killed', async () => {
    const cluster = sparkConnectCluster();
    await cluster.wrapped.submit({ id: 'nb-2', type: 'notebook' } as Application, {});
    cluster.serverEnds('nb-2', { state: 'FAILED', reason: 'the Spark Connect server failed' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(cluster.calls.slice(2)).toEqual(['kernel kill nb-2']);

    await cluster.wrapped.submit({ id: 'nb-3', type: 'notebook' } as Application, {});
    await cluster.wrapped.kill(notebook('nb-3'));
    expect(cluster.calls.slice(5)).toEqual(['kernel kill nb-3', 'kill nb-3 -']);
  });
});
