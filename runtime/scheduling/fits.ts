/**
 * Whether an application could ever run on a cluster: each pod within the cluster's capacity and
 * the whole gang too. What can never fit is refused at submission, naming the config field, its
 * value and the cluster's limit, instead of being acknowledged and then failing.
 */
import type { FieldIssue } from '../domain/errors';
import { cores, memory } from './describe';
import type { Demand, Resources } from './types';

export function unfitFields(clusterId: string, demand: Demand, capacity: Resources): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const limit = `cluster ${clusterId} holds ${cores(capacity.cores)} cores and ${memory(capacity.memoryMiB)} in all`;
  for (const [role, pod] of [
    ['driver', demand.driver],
    ['executor', demand.executors.each],
  ] as const) {
    if (role === 'executor' && demand.executors.count === 0) continue;
    if (pod.cores > capacity.cores) {
      issues.push({ path: `${role}.cores`, message: `${cores(pod.cores)} cores is more than ${limit}` });
    }
    if (pod.memoryMiB > capacity.memoryMiB) {
      issues.push({
        path: `${role}.memory`,
        message: `${memory(pod.memoryMiB)} with its overhead is more than ${limit}`,
      });
    }
  }
  if (issues.length > 0) return issues;
  const { count, each } = demand.executors;
  const total = {
    cores: demand.driver.cores + count * each.cores,
    memoryMiB: demand.driver.memoryMiB + count * each.memoryMiB,
  };
  if (total.cores > capacity.cores || total.memoryMiB > capacity.memoryMiB) {
    issues.push({
      path: 'executor.instances',
      message: `${count} executors of ${cores(each.cores)} cores and ${memory(each.memoryMiB)} with the driver need ${cores(total.cores)} cores and ${memory(total.memoryMiB)} at once, more than ${limit}`,
    });
  }
  return issues;
}
