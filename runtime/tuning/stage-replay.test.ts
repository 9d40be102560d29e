/**
 * The stage replay on a real event log (../metrics/fixtures/pyspark-udf.events.jsonl: local[2]):
 * the run's own shape predicts the stages' measured wall time, and a knob moves it the right way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEventLog } from '../metrics/event-log-parser';
import type { StageTiming } from '../domain/metrics';
import { replayStages, type Shape, wavesOf } from './model';

const log = readFileSync(join(__dirname, '..', 'metrics', 'fixtures', 'pyspark-udf.events.jsonl'), 'utf8');
const stagesOfLog = async () => (await parseEventLog(log.split('\n'))).stageTimings ?? [];
const shape = (cores: number, partitions = 1): Shape => ({
  executors: 1,
  cores,
  inputScale: 1,
  shuffleTasksFor: () => partitions,
});
/** What the stages took on the wall clock: the span of each wave, one wave after another. */
const measuredMs = (stages: StageTiming[]) =>
  wavesOf(stages).reduce(
    (sum, wave) => sum + Math.max(...wave.map((s) => s.endOffsetMs!)) - Math.min(...wave.map((s) => s.startOffsetMs!)),
    0,
  );

describe('stage replay on a real event log', () => {
  it("predicts the stages' measured wall time at the run's own shape within 25%", async () => {
    const stages = await stagesOfLog();
    const predicted = replayStages(stages, shape(2));
    const measured = measuredMs(stages);
    expect(Math.abs(predicted - measured) / measured).toBeLessThan(0.25);
  });

  it('predicts a shorter run with more cores and a longer one with fewer', async () => {
    const stages = await stagesOfLog();
    const own = replayStages(stages, shape(2));
    expect(replayStages(stages, shape(4))).toBeLessThan(own);
    expect(replayStages(stages, shape(1))).toBeGreaterThan(own);
  });

  it('runs stages that overlapped side by side: their wave is shorter than the two one after the other', () => {
    const stage = (stageId: number, startOffsetMs: number, endOffsetMs: number): StageTiming => ({
      stageId,
      tasks: 4,
      taskTimeMs: 4000,
      maxTaskMs: 1000,
      shuffleReadBytes: 0,
      inputBytes: 0,
      startOffsetMs,
      endOffsetMs,
    });
    const sideBySide = [stage(0, 0, 2000), stage(1, 500, 2500)];
    const serial = [stage(0, 0, 2000), stage(1, 2000, 4000)];
    expect(wavesOf(sideBySide)).toHaveLength(1);
    expect(wavesOf(serial)).toHaveLength(2);
    expect(replayStages(sideBySide, shape(8))).toBeLessThan(replayStages(serial, shape(8)));
    // on 2 slots the wave is bound by its work: 8 s of tasks over 2 slots
    expect(replayStages(sideBySide, shape(2))).toBeGreaterThanOrEqual(4000);
  });
});
