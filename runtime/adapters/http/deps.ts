/** What the HTTP adapter serves: the use cases, built by the composition root. */
import type { ApplicationChanges } from '../../apps/application-changes';
import type { ApplicationService } from '../../apps/application-service';
import type { ClusterService } from '../../apps/cluster-service';
import type { InsightsService } from '../../apps/insights-service';
import type { Measurer } from '../../apps/measure';
import type { NotebookService } from '../../apps/notebook-service';
import type { TimelineService } from '../../apps/timeline-service';
import type { TokenService } from '../../apps/token-service';
import type { Clock } from '../../domain/ports';
import type { JobService, TemplateService } from '../../jobs/job-service';
import type { SessionService } from '../../sessions/session-service';

export interface HttpDeps {
  applications: ApplicationService;
  jobs: JobService;
  templates: TemplateService;
  clusters: ClusterService;
  tokens: TokenService;
  /** The cost report and cluster summaries. */
  insights: InsightsService;
  /** Timelines of runs from their event logs, live while they run. */
  timelines: TimelineService;
  /** What the store of this runtime commits, for the stream of changes. */
  changes: ApplicationChanges;
  /** Reads an ended application's event log again (admin). */
  measurements: Pick<Measurer, 'remeasure'>;
  /** Interactive Spark Connect sessions, and the lookup of the relays. */
  sessions: SessionService;
  clock: Clock;
  /** The Jupyter gateway API of each cluster (notebook-routes.ts). @default not served */
  notebooks?: {
    service: NotebookService;
    /** Where a kernel's channels answer upstream (the runtime's Kernel Gateway), for the WebSocket relay. */
    channels(kernelId: string, query: string): Promise<{ url: string; headers: Record<string, string> }>;
  };
  /** Why the runtime is not ready (none: ready). @default always ready */
  readiness?: () => Promise<string[]>;
}
