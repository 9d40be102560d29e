/** Builders for planner tests: applications and clusters from defaults plus overrides. */
import type { Demand, PlanApp, PlanCluster } from './types';

/** A gang of `executors` pods of `cores` cores and 1 GiB each, plus a 1-core 1 GiB driver. */
export function gang(executors: number, cores = 1, memoryMiB = 1024): Demand {
  return { driver: { cores: 1, memoryMiB: 1024 }, executors: { count: executors, each: { cores, memoryMiB } } };
}

/** An application of job `jobId` (team "data" unless told), 1 core and 1 GiB in all unless told. */
export function app(id: string, overrides: Partial<PlanApp> = {}): PlanApp {
  return {
    id,
    clusterId: 'c1',
    jobId: 'job-a',
    team: 'data',
    priority: 0,
    createdAtMs: 0,
    demand: gang(0),
    concurrency: 'Allow',
    ...overrides,
  };
}

export function cluster(overrides: Partial<PlanCluster> = {}): PlanCluster {
  return { id: 'c1', ...overrides };
}
