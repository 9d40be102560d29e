/** What the HTTP adapter serves: the use cases, built by the composition root. */
import type { ApplicationService } from '../../apps/application-service';
import type { ClusterService } from '../../apps/cluster-service';
import type { TokenService } from '../../apps/token-service';
import type { Clock } from '../../domain/ports';
import type { JobService, TemplateService } from '../../jobs/job-service';

export interface HttpDeps {
  applications: ApplicationService;
  jobs: JobService;
  templates: TemplateService;
  clusters: ClusterService;
  tokens: TokenService;
  clock: Clock;
  /** Readiness: the store answers, back-ends are up. @default always ready */
  ready?: () => Promise<boolean>;
}
