import { describe, expect, it } from 'vitest';
import type { Application } from '../../domain/application';
import type { SparkBackend } from '../../domain/ports';
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
