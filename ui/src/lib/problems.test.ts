import { describe, expect, it } from 'vitest';
import { emptyRunMetrics } from '../../../runtime/domain/metrics';
import { problemsOf } from './problems';
import type { Application, ApplicationTimeline } from './types';

const metrics = { ...emptyRunMetrics(), tasks: { completed: 9, failed: 1, killed: 0 }, memorySpillBytes: 5 };
const failed = { id: 'a', state: 'FAILED', stateReason: 'exit code 1', metrics } as unknown as Application;
const timeline = {
  problems: [{ kind: 'spill', severity: 'warning', title: 'Spill', detail: 'in stage 3', stageId: 3 }],
} as unknown as ApplicationTimeline;

describe('problemsOf', () => {
  it("takes the timeline's problems in place of those of the stored metrics, keeping the state's", () => {
    expect(problemsOf(failed).map((p) => p.title)).toEqual(['Failed', 'Failed tasks', 'Spill']);
    expect(problemsOf(failed, timeline)).toEqual([
      { title: 'Failed', detail: 'exit code 1', severity: 'bad' },
      { title: 'Spill', detail: 'in stage 3', severity: 'warn' },
    ]);
  });
});
