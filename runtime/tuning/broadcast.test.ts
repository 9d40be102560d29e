/**
 * The broadcast-candidate rule on a real Spark 4 event log (runtime/metrics/fixtures/
 * broadcast-candidate.events.jsonl): examples/skewed_join.py 500000 100000 0.3 on local[2]
 * with spark.sql.shuffle.partitions=8, a sort-merge join of two sides of 23 and 25 MiB, both above
 * the 10 MiB default threshold.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { kubernetesKnobs, localKnobs } from '../domain/backend-knobs';
import type { ApplicationConfig } from '../domain/config';
import type { RunMetrics } from '../domain/metrics';
import { fixtureMetrics, localPythonRun } from './fixtures.test-helpers';
import { recommend } from './recommend';
import type { TuningRun } from './types';

const THRESHOLD = '/sparkConf/spark.sql.autoBroadcastJoinThreshold';
const MIB = 1024 * 1024;
const policy = { mode: 'auto' as const, objective: 'cost' as const };
let measured: RunMetrics;

beforeAll(async () => {
  measured = await fixtureMetrics('broadcast-candidate.events.jsonl');
});

const joinRun = (template: ApplicationConfig, metrics: RunMetrics = measured) =>
  localPythonRun('join-1', { driver: { memory: '1g' }, ...template }, metrics);

const local = (run: TuningRun) => recommend({ history: [run], policy, backend: localKnobs({ maxParallelism: 2 }) });
const thresholdChange = (rec: ReturnType<typeof recommend>) => rec.changes.find((c) => c.pointer === THRESHOLD);

describe('a shuffle join with a small side', () => {
  it('is measured from the log: the final plan still joins by shuffle, with both sides', () => {
    expect(measured.shuffleJoins).toEqual([
      { executionId: 0, join: 'SortMergeJoin', smallerSideBytes: 23_999_200, largerSideBytes: 26_400_000 },
    ]);
  });

  it('raises the broadcast threshold over the measured side, quoting it and the run', () => {
    const change = thresholdChange(local(joinRun({})));
    // 22.9 MiB x 1.5, in whole MiB
    expect(change?.to).toBe(String(35 * MIB));
    expect(change?.reason).toBe(
      "spark.sql.autoBroadcastJoinThreshold default -> 35m: SortMergeJoin of SQL query 0 in run join-1 shuffled 23 MiB on its smaller side (25 MiB on the other), over the 10 MiB broadcast threshold and within 1/8 of 1024 MiB of heap: broadcasting it spares the larger side's shuffle",
    );
  });

  it('does not fire when the small side is large for the heaps that would hold it', () => {
    const large = {
      ...measured,
      shuffleJoins: [
        { executionId: 0, join: 'SortMergeJoin', smallerSideBytes: 200 * MIB, largerSideBytes: 2048 * MIB },
      ],
    };
    expect(thresholdChange(local(joinRun({}, large)))).toBeUndefined();
    // the same side fits a 4 GiB driver (512 MiB a broadcast) on the local back-end...
    expect(thresholdChange(local(joinRun({ driver: { memory: '4g' } }, large)))?.to).toBe(String(300 * MIB));
    // ...but not 1 GiB executors on Kubernetes, which each hold a copy
    const k8s = recommend({
      history: [joinRun({ driver: { memory: '4g' }, executor: { instances: 2, cores: 2, memory: '1g' } }, large)],
      policy,
      backend: kubernetesKnobs(),
    });
    expect(thresholdChange(k8s)).toBeUndefined();
  });

  it('does not fire when the threshold already covers the side, or broadcasts are off', () => {
    expect(
      thresholdChange(local(joinRun({ sparkConf: { 'spark.sql.autoBroadcastJoinThreshold': '64m' } }))),
    ).toBeUndefined();
    expect(
      thresholdChange(local(joinRun({ sparkConf: { 'spark.sql.autoBroadcastJoinThreshold': '-1' } }))),
    ).toBeUndefined();
  });
});
