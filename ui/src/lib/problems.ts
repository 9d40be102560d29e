/**
 * Problems a run shows in its state, its timeline (live while it runs) and its metrics, as short
 * cards on the application page. The timeline's problems, when it was read, stand for those the
 * stored metrics would give: it sees the same log, by stage.
 */
import type { Application, ApplicationTimeline, TimelineProblem } from './types';

export interface Problem {
  title: string;
  detail: string;
  severity: 'bad' | 'warn';
}

/** GC above this share of executor time slows a run noticeably. */
const GC_SHARE = 0.1;
/** A stage whose longest task is this many times its median is skewed. */
const SKEW = 3;

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

const fromTimeline = (p: TimelineProblem): Problem => ({
  title: p.title,
  detail: p.detail,
  severity: p.severity === 'error' ? 'bad' : 'warn',
});

export function problemsOf(app: Application, timeline?: ApplicationTimeline): Problem[] {
  const problems: Problem[] = [];
  const m = app.metrics;
  const reason = app.stateReason ?? '';
  if (/OutOfMemory|OOMKilled|exit code 137|Java heap space/i.test(reason)) {
    problems.push({ title: 'Out of memory', detail: reason, severity: 'bad' });
  } else if (app.state === 'FAILED' || app.state === 'TIMED_OUT') {
    problems.push({
      title: app.state === 'FAILED' ? 'Failed' : 'Timed out',
      detail: reason || 'no reason recorded',
      severity: 'bad',
    });
  }
  if (timeline) problems.push(...timeline.problems.map(fromTimeline));
  if (!m) return problems;
  if (!timeline) problems.push(...metricProblems(m));
  if (m.incomplete) {
    problems.push({
      title: 'Event log incomplete',
      detail: 'The event log ended mid-write: the figures cover its complete lines only.',
      severity: 'warn',
    });
  }
  return problems;
}

function metricProblems(m: NonNullable<Application['metrics']>): Problem[] {
  const problems: Problem[] = [];
  if (m.tasks.failed > 0) {
    problems.push({
      title: 'Failed tasks',
      detail: `${m.tasks.failed} task attempts failed (${m.tasks.completed} completed).`,
      severity: 'warn',
    });
  }
  for (const lost of m.executorsLost) {
    problems.push({ title: `Executor ${lost.executorId} lost`, detail: lost.reason, severity: 'warn' });
  }
  if (m.memorySpillBytes + m.diskSpillBytes > 0) {
    problems.push({
      title: 'Spill',
      detail: `${gib(m.memorySpillBytes)} spilled from memory, ${gib(m.diskSpillBytes)} written to disk: more memory per task would avoid it.`,
      severity: 'warn',
    });
  }
  const skewed = m.skewedStages.filter((s) => s.skew >= SKEW);
  if (skewed.length > 0) {
    const worst = skewed[0]!;
    problems.push({
      title: 'Skew',
      detail: `${skewed.length} stage(s) skewed; stage ${worst.stageId}: longest task ${worst.skew.toFixed(1)}x the median over ${worst.tasks} tasks.`,
      severity: 'warn',
    });
  }
  if (m.gcTimeShare > GC_SHARE) {
    problems.push({
      title: 'GC time',
      detail: `${(m.gcTimeShare * 100).toFixed(1)} % of executor time in garbage collection (over 10 %).`,
      severity: 'warn',
    });
  }
  return problems;
}
