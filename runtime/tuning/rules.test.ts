import { describe, expect, it } from 'vitest';
import { GIB, MIB, run, stages } from './fixtures.test-helpers';
import { recommend } from './recommend';
import type { StageSkew } from '../domain/metrics';
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

  it('tiny tasks under a MiB: quoted in KB, and cut to one partition per task slot, not to 1', () => {
    const r = run({}, {});
    r.stages = stages(400, 200);
    r.stages[1]!.shuffleReadBytes = 400 * 44 * 1024;
    const c = change(rulesOnly([r]), '/sparkConf/spark.sql.shuffle.partitions');
    expect(c?.reason).toContain('tiny tasks: 44 KB per shuffle partition');
    // 10 executors x 4 cores
    expect(c?.to).toBe('40');
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

  it("Python workers' memory -> more overhead, quoting their peak and the run", () => {
    const r = run(
      {},
      { peakJvmMemoryBytes: 6 * GIB, peakRssBytes: 10 * GIB, peakPythonRssBytes: 3 * GIB },
      { appId: 'udf-3' },
    );
    const c = change(rulesOnly([r]), '/executor/memoryOverhead');
    // 4 GiB outside the JVM over 4 cores, 25% headroom
    expect(c?.to).toBe('5120m');
    expect(c?.reason).toContain(
      'non-heap memory (RSS - JVM) 1024 MiB per core measured, of which Python workers 768 MiB per core (peak 3072 MiB in udf-3)',
    );
  });

  it('a run bound by its Python UDFs -> a note quoting the Python workers share of task time and the run', () => {
    const r = run(
      {},
      { executorRunTimeMs: 20_000, pythonWorkerTimeMs: 15_000, cpuUtilization: 0.7 },
      { appId: 'udf-2' },
    );
    expect(rulesOnly([r]).notes).toContain(
      'Python workers ran 75% of task time in run udf-2 (15.0 s of 20.0 s): bound by its Python UDFs, one Python worker per core; CPU utilisation 70% counts them',
    );
    const jvm = run({}, { executorRunTimeMs: 20_000, pythonWorkerTimeMs: 2_000 }, { appId: 'udf-2' });
    expect(rulesOnly([jvm]).notes.some((n) => n.startsWith('Python workers'))).toBe(false);
  });

  it('idle executors -> fewer executors', () => {
    const c = change(rulesOnly([run({}, { efficiency: 0.3 })]), '/executor/instances');
    expect(c?.to).toBe(4);
    expect(c?.reason).toContain('efficiency 30%');
  });

  const skewed = (over: Partial<StageSkew>): StageSkew => ({ stageId: 1, attemptId: 0, tasks: 200, skew: 12, ...over });

  it('data skew by bytes -> adaptive skew join, quoting the bytes and the run', () => {
    const stage = skewed({
      medianTaskBytes: 64 * MIB,
      maxTaskBytes: 2560 * MIB,
      medianTaskRecords: 1e5,
      maxTaskRecords: 2e5,
    });
    const rec = rulesOnly([run({}, { skewedStages: [stage] }, { appId: 'etl-4' })]);
    expect(change(rec, '/sparkConf/spark.sql.adaptive.enabled')?.to).toBe('true');
    expect(change(rec, '/sparkConf/spark.sql.adaptive.skewJoin.enabled')?.reason).toContain(
      'data skew in stage 1 of run etl-4: largest task read 2560 MiB, 40.0x the median 64 MiB (longest task 12.0x the median time)',
    );
  });

  it('data skew by records -> adaptive skew join, quoting the records', () => {
    const stage = skewed({
      medianTaskBytes: 64 * MIB,
      maxTaskBytes: 80 * MIB,
      medianTaskRecords: 1e5,
      maxTaskRecords: 3e6,
    });
    const rec = rulesOnly([run({}, { skewedStages: [stage] }, { appId: 'etl-4' })]);
    expect(change(rec, '/sparkConf/spark.sql.adaptive.skewJoin.enabled')?.reason).toContain(
      'largest task read 3000000 records, 30.0x the median',
    );
  });

  it('400 tasks of 1-6 KB, one slow -> tiny tasks and coalescing, not skew join', () => {
    const stage = skewed({ stageId: 3, tasks: 400, skew: 38.8, medianTaskBytes: 3.5 * 1024, maxTaskBytes: 6 * 1024 });
    const r = run({}, { skewedStages: [stage] }, { appId: 'etl-2' });
    r.stages = stages(400, 100);
    const rec = rulesOnly([r]);
    expect(change(rec, '/sparkConf/spark.sql.adaptive.skewJoin.enabled')).toBeUndefined();
    const adaptive = change(rec, '/sparkConf/spark.sql.adaptive.enabled');
    expect(adaptive?.to).toBe('true');
    expect(adaptive?.reason).toContain(
      'tiny tasks, not data skew: stage 3 of run etl-2 ran 400 tasks of 4 KB median (largest 6 KB), longest task 38.8x the median time; coalescing',
    );
    expect(Number(change(rec, '/sparkConf/spark.sql.shuffle.partitions')?.to)).toBeLessThan(200);
  });

  it('a slow task on even data, or a stage measured without data per task -> no skew change', () => {
    const even = skewed({
      medianTaskBytes: 64 * MIB,
      maxTaskBytes: 70 * MIB,
      medianTaskRecords: 1e5,
      maxTaskRecords: 1.1e5,
    });
    for (const stage of [even, skewed({})]) {
      const rec = rulesOnly([run({}, { skewedStages: [stage] })]);
      expect(change(rec, '/sparkConf/spark.sql.adaptive.skewJoin.enabled')).toBeUndefined();
      expect(change(rec, '/sparkConf/spark.sql.adaptive.enabled')).toBeUndefined();
    }
  });

  it('sizes executor memory from the cores the run really had, not the ones it asked for', () => {
    const executors = [
      { executorId: 'driver', cores: 1, addedAt: 0, peakJvmMemoryBytes: 3 * GIB },
      { executorId: '1', cores: 2, addedAt: 0, peakJvmMemoryBytes: 3.1 * GIB },
    ];
    const c = change(
      rulesOnly([run({}, { peakJvmMemoryBytes: 3.1 * GIB, executors }, { appId: 'etl-7' })]),
      '/executor/memory',
    );
    expect(c?.reason).toContain('over the last 1 run (etl-7) at 2 cores');
    // 2.8 GiB above the reserved heap over 2 cores is 1.4 GiB a core: at the run's 4 cores, 4 x 1.4 GiB + 300 MiB, +25%
    expect(c?.to).toBe('7680m');
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
