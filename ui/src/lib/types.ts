/**
 * The shapes the dashboards read: the runtime's domain types (z.infer of its schemas), imported as
 * types only, so that no schema's runtime reaches the bundle.
 */
export type { Application, ApplicationSortKey, ApplicationType } from '../../../runtime/domain/application';
export type { Cluster, ClusterState } from '../../../runtime/domain/cluster';
export type { Page } from '../../../runtime/domain/common';
export type {
  ApplicationChange,
  ClusterSummary,
  CostGroupBy,
  CostReport,
  SummaryWindow,
} from '../../../runtime/domain/insights';
export type { KubeEvents } from '../../../runtime/domain/kube-events';
export type { ConfigLayer, Provenance } from '../../../runtime/domain/merge';
export type { RunMetrics } from '../../../runtime/domain/metrics';
export type { ConfigChange, JobRunPoint, JobStatistics } from '../../../runtime/domain/job-statistics';
export type { Recommendation } from '../../../runtime/domain/recommendation';
export type { TuningChange } from '../../../runtime/domain/tuning-change';
export type { JobDetail, JobSummary, LastRun } from '../../../runtime/domain/resources';
export type { AppState } from '../../../runtime/domain/states';
export type { SessionList, SessionView } from '../../../runtime/domain/session';
export type { PrincipalView, Scope } from '../../../runtime/domain/tokens';
export type { ApplicationTimeline, TimelineProblem } from '../../../runtime/domain/timeline';
