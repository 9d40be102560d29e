/**
 * The Python UDF rule on a real Spark 4 event log (runtime/metrics/fixtures/pyspark-udf.events.jsonl:
 * a row UDF over 4 partitions on local[2], made by fixtures/pyspark-udf.py).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { localKnobs } from '../domain/backend-knobs';
import type { ApplicationConfig } from '../domain/config';
import type { RunMetrics } from '../domain/metrics';
import { fixtureMetrics, localPythonRun } from './fixtures.test-helpers';
import { recommend } from './recommend';
import type { TuningRun } from './types';

const ARROW = '/sparkConf/spark.sql.execution.pythonUDF.arrow.enabled';
const policy = { mode: 'auto' as const, objective: 'cost' as const };
let measured: RunMetrics;

beforeAll(async () => {
  measured = await fixtureMetrics('pyspark-udf.events.jsonl');
});

const udfRun = (template: ApplicationConfig, metrics: RunMetrics = measured) =>
  localPythonRun('udf-fixture-1', template, metrics);

const tune = (run: TuningRun) => recommend({ history: [run], policy, backend: localKnobs({ maxParallelism: 2 }) });

describe('a run bound by its Python UDFs', () => {
  it('turns on Arrow-optimized Python UDFs, quoting the Python share of task time and the run', () => {
    const share = Math.round((measured.pythonWorkerTimeMs! / measured.executorRunTimeMs) * 100);
    expect(share).toBeGreaterThanOrEqual(50);
    const rec = tune(udfRun({}));
    const change = rec.changes.find((c) => c.pointer === ARROW);
    expect(change?.to).toBe('true');
    expect(change?.reason).toBe(
      `spark.sql.execution.pythonUDF.arrow.enabled default -> true: Python workers ran ${share}% of task time in run udf-fixture-1 (${(measured.pythonWorkerTimeMs! / 1000).toFixed(1)} s of ${(measured.executorRunTimeMs / 1000).toFixed(1)} s), bound by its Python UDFs: Arrow batches rows to the Python workers instead of pickling each row`,
    );
    expect(rec.tuning.sparkConf?.['spark.sql.execution.pythonUDF.arrow.enabled']).toBe('true');
  });

  it('changes nothing more when Arrow is on already, and keeps the note', () => {
    const rec = tune(udfRun({ sparkConf: { 'spark.sql.execution.pythonUDF.arrow.enabled': 'true' } }));
    expect(rec.changes.find((c) => c.pointer === ARROW)).toBeUndefined();
    expect(rec.notes.some((n) => n.includes('bound by its Python UDFs'))).toBe(true);
  });

  it('leaves Arrow alone on a run whose time was not in Python', () => {
    const jvm = { ...measured, pythonWorkerTimeMs: measured.executorRunTimeMs * 0.2 };
    expect(tune(udfRun({}, jvm)).changes.find((c) => c.pointer === ARROW)).toBeUndefined();
  });
});
