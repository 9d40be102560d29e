import { describe, expect, it } from 'vitest';
import { fitScalingModel, replayStage, TASK_OVERHEAD_MS } from './model';
import { nnls } from './nnls';

describe('nnls', () => {
  it('recovers non-negative coefficients exactly', () => {
    const rows = [1, 2, 3, 4, 5, 6].map((x) => [1, x, x * x]);
    const y = rows.map(([a, b, c]) => 2 * a! + 0.5 * b! + 0.1 * c!);
    nnls(rows, y).forEach((v, i) => expect(v).toBeCloseTo([2, 0.5, 0.1][i]!, 6));
  });

  it('clamps a coefficient that least squares would make negative', () => {
    const rows = [1, 2, 3, 4].map((x) => [1, x]);
    const x = nnls(rows, [10, 8, 6, 4]);
    expect(x[1]).toBe(0);
    expect(x[0]).toBeCloseTo(7, 6);
  });
});

describe('scaling model (Ernest)', () => {
  it('fits t = a + b*input/slots + c*log(slots) + d*slots and predicts an unseen slot count', () => {
    const truth = (input: number, slots: number) => 30 + (600 * input) / slots + 5 * Math.log(slots) + 0.2 * slots;
    const points = [4, 8, 16, 32].map((slots) => ({ inputGiB: 10, slots, durationSeconds: truth(10, slots) }));
    const model = fitScalingModel(points)!;
    expect(model.fitError).toBeLessThan(0.01);
    expect(model.predict(10, 24)).toBeCloseTo(truth(10, 24), 0);
  });

  it('needs four runs over three slot counts', () => {
    expect(fitScalingModel([{ inputGiB: 1, slots: 4, durationSeconds: 10 }])).toBeUndefined();
  });
});

describe('stage replay (Sparklens)', () => {
  const stage = {
    stageId: 0,
    tasks: 100,
    taskTimeMs: 100 * 10_000,
    maxTaskMs: 10_000,
    shuffleReadBytes: 0,
    inputBytes: 0,
  };

  it('halving the slots doubles a many-wave stage', () => {
    expect(replayStage(stage, 10, 100, 1)).toBe(10 * 10_000);
    expect(replayStage(stage, 5, 100, 1)).toBe(20 * 10_000);
  });

  it('is bounded by the longest task, which keeps its share of the data when skewed', () => {
    const skewed = { ...stage, maxTaskMs: 10 * (10_000 - TASK_OVERHEAD_MS) + TASK_OVERHEAD_MS };
    expect(replayStage(skewed, 1000, 100, 1)).toBeCloseTo(skewed.maxTaskMs, 6);
    // twice the input: the longest task twice as long
    expect(replayStage(skewed, 1000, 100, 2)).toBeCloseTo(
      2 * (skewed.maxTaskMs - TASK_OVERHEAD_MS) + TASK_OVERHEAD_MS,
      6,
    );
  });
});
