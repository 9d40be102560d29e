import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain/errors';
import type { BackendPlugin, SparkBackend } from '../domain/ports';
import { silentLogger } from '../domain/ports';
import { ClusterBackends } from './cluster-backends';

/** A back-end that only records whether it was closed. */
function recordingBackend(kind: string): SparkBackend & { closed: boolean } {
  return {
    kind,
    closed: false,
    submit: async () => ({ backendRef: 'x' }),
    kill: async () => undefined,
    status: async () => ({ state: 'RUNNING' }),
    driverLog: async function* () {},
    eventLogPath: () => undefined,
    onStatus: () => undefined,
    async close() {
      this.closed = true;
    },
  };
}

const strict: BackendPlugin<{ slots: number }, ReturnType<typeof recordingBackend>> = {
  kind: 'strict',
  description: 'a kind with settings to check',
  settings: z.strictObject({ slots: z.number().int().positive().default(2) }),
  create: () => recordingBackend('strict'),
  probe: async () => ({ state: 'PROGRESSING', reason: 'warming up' }),
};
const context = { dataDir: '/tmp', clock: { now: () => new Date(0) }, logger: silentLogger };

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
  }
  throw new Error('expected a DomainError');
}

describe('ClusterBackends', () => {
  it('names the kinds it has when a cluster asks for another', () => {
    const backends = new ClusterBackends([strict], context);
    const error = refusal(() => backends.validate({ id: 'c', backend: 'nomad', settings: {} }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues).toEqual([{ path: 'backend', message: 'backend: "nomad" is not one of "strict"' }]);
  });

  it("checks settings with the kind's own schema, naming settings.<field>, and fills its defaults", () => {
    const backends = new ClusterBackends([strict], context);
    const error = refusal(() => backends.validate({ id: 'c', backend: 'strict', settings: { slots: -1, x: 1 } }));
    expect(error.issues.map((i) => i.path).sort()).toEqual(['settings', 'settings.slots']);
    expect(backends.validate({ id: 'c', backend: 'strict', settings: {} }).settings).toEqual({ slots: 2 });
  });

  it('builds, replaces and closes back-ends, and probes each with its kind', async () => {
    const backends = new ClusterBackends([strict], context);
    expect(backends.unavailableReason('c')).toBe('the runtime serves no back-end for this cluster');
    await backends.start({ id: 'c', backend: 'strict', settings: {} });
    const first = backends.backendOf('c') as ReturnType<typeof recordingBackend>;
    expect(first.kind).toBe('strict');
    expect(await backends.probes()[0]![1]()).toEqual({ state: 'PROGRESSING', reason: 'warming up' });
    await backends.start({ id: 'c', backend: 'strict', settings: { slots: 3 } });
    expect(first.closed).toBe(true);
    expect(backends.backendOf('c')).not.toBe(first);
    await backends.stop('c');
    expect(backends.backendOf('c')).toBeUndefined();
  });

  it('records why a back-end could not be built instead of failing the start-up', async () => {
    const broken: BackendPlugin = {
      ...(strict as BackendPlugin),
      create: () => {
        throw new Error('no Spark install found');
      },
    };
    const backends = new ClusterBackends([broken], context);
    await backends.startOrRecord({ id: 'c', backend: 'strict', settings: {} });
    expect(backends.backendOf('c')).toBeUndefined();
    expect(backends.unavailableReason('c')).toBe('no Spark install found');
  });
});
