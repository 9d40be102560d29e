/**
 * The admission planner: which queued applications start now, and why each other one waits.
 * Pure: the plan depends only on its input (the clock included), never on the order of its lists.
 * The queue is walked in admission order (order.ts), each application asked the rules (rules.ts)
 * against what its cluster holds so far (ledger.ts); one that passes them all is admitted and
 * counted before the next is asked.
 */
import { Candidate, ClusterLedger } from './ledger';
import { admissionIndex } from './order';
import { ADMISSION_RULES, type AdmissionRule } from './rules';
import type { Plan, PlanInput, PlanOptions } from './types';

export const DEFAULT_AGING_SECONDS = 600;

export function plan(
  input: PlanInput,
  options: PlanOptions = {},
  rules: readonly AdmissionRule[] = ADMISSION_RULES,
): Plan {
  const ledgers = new Map<string, ClusterLedger>();
  for (const cluster of input.clusters) ledgers.set(cluster.id, new ClusterLedger(cluster));
  // a cluster the input does not describe has no limits
  const ledgerOf = (clusterId: string): ClusterLedger => {
    let ledger = ledgers.get(clusterId);
    if (!ledger) ledgers.set(clusterId, (ledger = new ClusterLedger({ id: clusterId })));
    return ledger;
  };
  for (const app of input.running) ledgerOf(app.clusterId).addRunning(app);

  const result: Plan = { admit: [], held: [], rejected: [] };
  const { order, cores, memoryMiB } = admissionIndex(input, options.agingSeconds ?? DEFAULT_AGING_SECONDS);
  // one candidate, loaded with each application in turn
  const app = new Candidate();
  for (const i of order) {
    app.load(input.queued[i]!, cores[i]!, memoryMiB[i]!);
    const ledger = ledgerOf(app.clusterId);
    let held = false;
    for (const rule of rules) {
      const verdict = rule.check(app, ledger);
      if (!verdict) continue;
      held = true;
      if (verdict.never) {
        result.rejected.push({ id: app.id, reason: verdict.reason, rule: rule.name });
      } else {
        result.held.push({ id: app.id, reason: verdict.reason, rule: rule.name });
        ledger.hold(app);
        if (verdict.blocks) ledger.blockedBy ??= app.id;
      }
      break;
    }
    if (held) continue;
    ledger.admit(app);
    result.admit.push(app.id);
  }
  return result;
}
