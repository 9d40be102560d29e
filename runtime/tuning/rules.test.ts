import { describe, expect, it } from 'vitest';
import { GIB, MIB, run, stages } from './fixtures.test-helpers';
import { recommend } from './recommend';
import type { TuningRun } from './types';

const policy = { mode: 'auto' as const, objective: 'cost' as const };
const rulesOnly = (history: TuningRun[]) => recommend({ history, policy, options: { useModel: false } });
const change = (rec: ReturnType<typeof recommend>, ptr: string) => rec.changes.find((c) => c.pointer === ptr);

describe('fast rules', () => {
  it('spill with large partitions -> more shuffle partitions, naming the spill', () => {
    const r = run({ tuning: { sparkConf: { 'spark.sql.shuffle.partitions': '20' } } }, { memorySpillBytes: 30 * GIB });
    r.stages = stages(20);
    const c = change(rulesOnly([r]), '/sparkConf/spark.sql.shuffle.partitions');
    expect(c?.to).toBe('80');
    expect(c?.reason).toMatch(
      /^spark\.sql\.shuffle\.partitions 20 -> 80: spill 30\.0 GiB: 512 MiB per shuffle partition/,
    );
  });

  it('spill with partitions already small -> more memory per core', () => {
    const r = run({}, { memorySpillBytes: 4 * GIB, peakJvmMemoryBytes: 15.5 * GIB });
    r.stages = stages(320);
    const c = change(rulesOnly([r]), '/executor/memory');
    expect(c?.to).toBe('24576m');
    expect(c?.reason).toContain('spill 4.0 GiB');
  });

  it('tiny tasks -> fewer partitions', () => {
    const r = run({}, {});
    r.stages = stages(5000, 200);
    const c = change(rulesOnly([r]), '/sparkConf/spark.sql.shuffle.partitions');
    expect(c?.to).toBe('80');
    expect(c?.reason).toContain('tiny tasks: 2 MiB per shuffle partition');
  });

  it('a high GC share -> more memory, naming the GC share', () => {
    const c = change(rulesOnly([run({}, { gcTimeShare: 0.22, peakJvmMemoryBytes: 15 * GIB })]), '/executor/memory');
    expect(c?.to).toBe('23040m');
    expect(c?.reason).toContain('GC took 22% of task time');
  });

  it('a low peak -> less memory, with the peak and the headroom in the reason', () => {
    const c = change(rulesOnly([run({}, { peakJvmMemoryBytes: 3.1 * GIB })]), '/executor/memory');
    expect(c?.to).toBe('4096m');
    expect(c?.reason).toBe(
      'executor.memory 16g -> 4g: peak JVM memory 3.1 GiB over the last 1 run at 4 cores, 25% headroom',
    );
  });

  it('idle executors -> fewer executors', () => {
    const c = change(rulesOnly([run({}, { efficiency: 0.3 })]), '/executor/instances');
    expect(c?.to).toBe(4);
    expect(c?.reason).toContain('efficiency 30%');
  });

  it('a skewed stage -> adaptive skew join', () => {
    const rec = rulesOnly([run({}, { skewedStages: [{ stageId: 1, attemptId: 0, tasks: 200, skew: 12 }] })]);
    expect(change(rec, '/sparkConf/spark.sql.adaptive.enabled')?.to).toBe('true');
    expect(change(rec, '/sparkConf/spark.sql.adaptive.skewJoin.enabled')?.reason).toContain(
      'stage 1 longest task 12.0x',
    );
  });

  it('an out-of-memory failure with no good run yet -> +50% memory', () => {
    const failed = run(
      {},
      {},
      { state: 'FAILED', stateReason: 'java.lang.OutOfMemoryError: Java heap space', metrics: undefined },
    );
    const c = change(rulesOnly([failed]), '/executor/memory');
    expect(c?.to).toBe('24576m');
    expect(c?.reason).toContain('out-of-memory');
  });

  it('an executor killed over its memory limit -> more memory overhead', () => {
    const failed = run({}, {}, { state: 'FAILED', stateReason: 'Container killed: exit code 137', metrics: undefined });
    expect(change(rulesOnly([failed]), '/executor/memoryOverhead')?.to).toBe('2560m');
  });

  it('a driver out-of-memory -> twice the driver memory', () => {
    const failed = run(
      {},
      {},
      { state: 'FAILED', stateReason: 'Driver: java.lang.OutOfMemoryError', metrics: undefined },
    );
    expect(change(rulesOnly([failed]), '/driver/memory')?.to).toBe('8192m');
  });

  it('a generously sized driver -> driver memory from its peak', () => {
    const rec = rulesOnly([
      run({}, { executors: [{ executorId: 'driver', cores: 1, addedAt: 0, peakJvmMemoryBytes: 800 * MIB }] }),
    ]);
    expect(change(rec, '/driver/memory')?.to).toBe('1024m');
  });
});
