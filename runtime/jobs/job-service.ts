/** Jobs (named groups of applications, one cluster each) and the config templates of a cluster. */
import type { Application } from '../domain/application';
import { ApplicationConfig } from '../domain/config';
import { DomainError, notFound } from '../domain/errors';
import type { JobStatistics } from '../domain/job-statistics';
import type { Clock, Page, Store, StoredJob, StoredTemplate } from '../domain/ports';
import type { Recommendation } from '../domain/recommendation';
import {
  ConfigTemplate,
  type JobDetail,
  JobSpec,
  type JobSummary,
  type LastRun,
  nextRunOf,
  TemplateUpdate,
} from '../domain/resources';
import { parseOrThrow } from '../domain/validation';
import { authorize, authorizeFound, maySee, type Principal } from '../apps/principal';
import { recommendationFor, type TuningEnvironment } from '../apps/tuning-layer';
import { jobStatistics } from '../metrics/job-stats';

export interface PageQuery {
  /** @default 50 */
  limit?: number;
  cursor?: string;
}

export class JobService {
  constructor(
    private readonly deps: {
      store: Store;
      /** For the next run of scheduled jobs. */
      clock: Clock;
      /** Called after a job's spec is written (the scheduler reads schedules again). */
      onChanged?: (jobId: string) => void;
      /** The clusters' back-end knobs and prices the recommendation is made for. @default every knob, default prices */
      tuning?: TuningEnvironment;
    },
  ) {}

  async list(query: PageQuery & { clusterId?: string }, actor?: Principal): Promise<Page<JobSummary>> {
    const clusterId = query.clusterId ?? (actor?.clusterIds?.length === 1 ? actor.clusterIds[0] : undefined);
    authorize(actor, 'applications:read', actor?.clusterIds ? { clusterId } : {});
    const page = await this.deps.store.listJobs(
      clusterId === undefined ? {} : { clusterId },
      query.limit ?? 50,
      query.cursor,
    );
    const visible = page.items.filter((job) => maySee(actor, { clusterId: job.clusterId, jobId: job.id }));
    // one indexed read of one row per job (applications_job_id_created), in parallel
    const latest = await Promise.all(visible.map((job) => this.deps.store.listApplications({ jobId: job.id }, 1)));
    return { ...page, items: visible.map((job, i) => this.summary(job, latest[i]!.items[0])) };
  }

  /** The job with its next scheduled run and its latest executions. */
  async get(id: string, actor?: Principal): Promise<JobDetail> {
    const job = await this.stored(id, actor);
    const executions = await this.deps.store.listApplications({ jobId: id }, 20);
    return { ...this.summary(job, executions.items[0]), executions: executions.items };
  }

  /** The job's applications, newest first. */
  async executions(id: string, query: PageQuery, actor?: Principal): Promise<Page<Application>> {
    await this.stored(id, actor);
    return this.deps.store.listApplications({ jobId: id }, query.limit ?? 50, query.cursor);
  }

  /** Medians of the last 10 measured runs and the series over all of them (oldest first). */
  async statistics(id: string, actor?: Principal): Promise<JobStatistics> {
    await this.stored(id, actor);
    const runs = await this.deps.store.listMeasuredRuns(id);
    return jobStatistics(runs.reverse());
  }

  /** What tuning would set for the job's next run, and why (applied only in `auto` mode). */
  async recommendation(id: string, actor?: Principal): Promise<Recommendation> {
    return recommendationFor(this.deps.store, await this.stored(id, actor), this.deps.tuning);
  }

  /** The job's spec (JobSpec) without timestamps. */
  async getConfig(id: string, actor?: Principal): Promise<JobSpec> {
    const { createdAt: _c, updatedAt: _u, ...spec } = await this.stored(id, actor);
    void _c;
    void _u;
    return spec;
  }

  /** Creates or replaces the job's spec; a job stays on its cluster. */
  async putConfig(id: string, body: unknown, actor?: Principal): Promise<JobSummary> {
    const spec = parseOrThrow(JobSpec, body);
    if (spec.id !== id) {
      throw new DomainError('VALIDATION_FAILED', `id: "${spec.id}" differs from the job id ${id} in the path`, [
        { path: 'id', message: `id: "${spec.id}" differs from the job id ${id} in the path` },
      ]);
    }
    authorize(actor, 'jobs:update', { clusterId: spec.clusterId, jobId: id, templateId: spec.configTemplateId });
    if (!(await this.deps.store.getCluster(spec.clusterId))) throw notFound('cluster', spec.clusterId);
    const existing = await this.deps.store.getJob(id);
    if (existing && existing.clusterId !== spec.clusterId) {
      throw new DomainError('CONFLICT', `job ${id} belongs to cluster ${existing.clusterId}, not ${spec.clusterId}`);
    }
    if (spec.configTemplateId && !(await this.deps.store.getTemplate(spec.clusterId, spec.configTemplateId))) {
      throw notFound('config template', spec.configTemplateId);
    }
    const stored = await this.deps.store.putJob(spec);
    this.deps.onChanged?.(id);
    return this.summary(stored);
  }

  private async stored(id: string, actor?: Principal): Promise<StoredJob> {
    const job = await this.deps.store.getJob(id);
    if (!job) throw notFound('job', id);
    // a job outside the caller's limits reads as one that does not exist
    authorizeFound(actor, 'applications:read', { clusterId: job.clusterId, jobId: id }, notFound('job', id));
    return job;
  }

  private summary(job: StoredJob, latest?: Application): JobSummary {
    const nextRunAt = job.schedule && nextRunOf(job.schedule, this.deps.clock.now())?.toISOString();
    return {
      ...job,
      ...(nextRunAt ? { nextRunAt } : {}),
      ...(latest ? { lastRun: lastRunOf(latest) } : {}),
    };
  }
}

/** What the Jobs page shows of a job's latest application. */
function lastRunOf(app: Application): LastRun {
  const run: LastRun = { appId: app.id, state: app.state, createdAt: app.createdAt };
  if (app.userId !== undefined) run.userId = app.userId;
  if (app.startedAt !== undefined) run.startedAt = app.startedAt;
  if (app.endedAt !== undefined) run.endedAt = app.endedAt;
  if (app.metrics !== undefined) run.durationMs = app.metrics.durationMs;
  if (app.metrics?.cost !== undefined) run.cost = app.metrics.cost.total;
  return run;
}

export class TemplateService {
  constructor(private readonly deps: { store: Store }) {}

  async list(clusterId: string, actor?: Principal): Promise<StoredTemplate[]> {
    authorize(actor, 'applications:read', { clusterId });
    await this.cluster(clusterId);
    const templates = await this.deps.store.listTemplates(clusterId);
    return actor?.templateIds && !actor.scopes.includes('admin')
      ? templates.filter((t) => actor.templateIds?.includes(t.id))
      : templates;
  }

  async get(clusterId: string, id: string, actor?: Principal): Promise<StoredTemplate> {
    authorize(actor, 'applications:read', { clusterId, templateId: id });
    await this.cluster(clusterId);
    const template = await this.deps.store.getTemplate(clusterId, id);
    if (!template) throw notFound('config template', id);
    return template;
  }

  /** Creates a template; CONFLICT when the id is taken on this cluster. */
  async create(clusterId: string, body: unknown, actor?: Principal): Promise<StoredTemplate> {
    const template = parseOrThrow(ConfigTemplate, body);
    authorize(actor, 'templates:manage', { clusterId, templateId: template.id });
    await this.cluster(clusterId);
    if (await this.deps.store.getTemplate(clusterId, template.id)) {
      throw new DomainError('CONFLICT', `config template ${template.id} already exists on cluster ${clusterId}`);
    }
    return this.deps.store.putTemplate(clusterId, template);
  }

  /** Replaces the config of an existing template (body: {config} or {id, config}). */
  async update(clusterId: string, id: string, body: unknown, actor?: Principal): Promise<StoredTemplate> {
    authorize(actor, 'templates:manage', { clusterId, templateId: id });
    const input = parseOrThrow(TemplateUpdate, body);
    if (input.id !== undefined && input.id !== id) {
      throw new DomainError('VALIDATION_FAILED', `id: "${input.id}" differs from the template id ${id} in the path`, [
        { path: 'id', message: `id: "${input.id}" differs from the template id ${id} in the path` },
      ]);
    }
    await this.cluster(clusterId);
    if (!(await this.deps.store.getTemplate(clusterId, id))) throw notFound('config template', id);
    return this.deps.store.putTemplate(clusterId, {
      id,
      config: parseOrThrow(ApplicationConfig, input.config, ['config']),
    });
  }

  async delete(clusterId: string, id: string, actor?: Principal): Promise<void> {
    authorize(actor, 'templates:manage', { clusterId, templateId: id });
    await this.cluster(clusterId);
    if (!(await this.deps.store.deleteTemplate(clusterId, id))) throw notFound('config template', id);
  }

  private async cluster(clusterId: string): Promise<void> {
    if (!(await this.deps.store.getCluster(clusterId))) throw notFound('cluster', clusterId);
  }
}
