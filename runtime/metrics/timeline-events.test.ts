import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobEnd, jobStart, taskEnd } from './event-log-fixtures';
import { decodeEventFull } from './full-event-decoder';
import { oddSparkEvent, plainSparkEvent } from './spark-event-arbitraries.test-helpers';
import { IGNORED_LINE, REJECTED_LINE } from './spark-events';
import { decodeTimelineEvent } from './timeline-events';

describe('decodeTimelineEvent', () => {
  it('reads a job with its description, stages and result', () => {
    expect(decodeTimelineEvent(jobStart(3, 1500, [4, 5]))).toEqual({
      type: 'jobStart',
      jobId: 3,
      submittedAtMs: 1500,
      // no spark.job.description: the name of its last stage, as the Spark UI shows
      description: 'stage 5 at x.py:5',
      stages: [
        { stageId: 4, attemptId: 0, name: 'stage 4 at x.py:4', tasks: 2, submittedAtMs: 0 },
        { stageId: 5, attemptId: 0, name: 'stage 5 at x.py:5', tasks: 2, submittedAtMs: 0 },
      ],
    });
    expect(decodeTimelineEvent(jobEnd(3, 9000, false))).toEqual({
      type: 'jobEnd',
      jobId: 3,
      completedAtMs: 9000,
      succeeded: false,
    });
  });

  it('reads a lost task with the reason the executor gave', () => {
    const decoded = decodeTimelineEvent(
      taskEnd({
        launchMs: 100,
        finishMs: 900,
        reason: { Reason: 'ExecutorLostFailure', 'Executor ID': '1', 'Loss Reason': 'exit code 137' },
      }),
    );
    expect(decoded).toMatchObject({ type: 'taskDone', launchMs: 100, finishMs: 900, outcome: 'failed' });
    expect(decoded.type === 'taskDone' && decoded.failure).toBe('ExecutorLostFailure: exit code 137');
  });

  it('skips events it does not need and rejects a cut line', () => {
    expect(decodeTimelineEvent('{"Event":"SparkListenerTaskStart","Stage ID":0}')).toBe(IGNORED_LINE);
    expect(decodeTimelineEvent(jobStart(1, 1, [1]).slice(0, 40))).toBe(REJECTED_LINE);
    expect(decodeTimelineEvent('  ')).toBe(IGNORED_LINE);
  });

  it("reads tasks' metrics and the shared events as the RunMetrics decoder does", () => {
    fc.assert(
      fc.property(fc.oneof(plainSparkEvent, oddSparkEvent), (event) => {
        const text = JSON.stringify(event);
        const full = decodeEventFull(text);
        const timeline = decodeTimelineEvent(text);
        if (full.type === 'taskEnd') {
          expect(timeline).toMatchObject({ type: 'taskDone', stageId: full.stageId, metrics: full.metrics });
        } else if (['executorAdded', 'executorRemoved', 'applicationStart', 'applicationEnd'].includes(full.type)) {
          expect(timeline).toEqual(full);
        }
        if (full.type === 'rejected') expect(timeline).toBe(REJECTED_LINE);
      }),
    );
  });
});
