/**
 * Notebook use cases: the kernelspecs of a cluster (its config templates), and kernels, each the
 * application of type notebook it runs as: started with the template's config merged like a
 * submission (no job; the user is the token's name), listed, described, interrupted, restarted
 * and shut down by those the token limits allow.
 */
import type { Application } from '../domain/application';
import { ApplicationConfig } from '../domain/config';
import { DomainError, notFound } from '../domain/errors';
import { mergeConfig } from '../domain/merge';
import type { Kernel, NotebookKernels } from '../domain/notebook';
import type { Clock, Store, StoredTemplate } from '../domain/ports';
import { parseOrThrow } from '../domain/validation';
import type { ApplicationService } from './application-service';
import { appIdFor, type IdGenerator, randomIds } from './ids';
import { authorize, authorizeFound, maySee, type Principal, type Target } from './principal';

export interface NotebookServiceDeps {
  store: Store;
  applications: ApplicationService;
  kernels: NotebookKernels;
  clock: Clock;
  /** @default random, time-sortable ids */
  ids?: IdGenerator;
}

const targetOf = (app: Application): Target => ({ clusterId: app.clusterId, templateId: app.configTemplateId });

export class NotebookService {
  private readonly ids: IdGenerator;

  constructor(private readonly deps: NotebookServiceDeps) {
    this.ids = deps.ids ?? randomIds;
  }

  /** The templates of the cluster the caller may use (each is a kernelspec). */
  async templates(clusterId: string, actor?: Principal): Promise<StoredTemplate[]> {
    authorize(actor, 'applications:read', { clusterId });
    if (!(await this.deps.store.getCluster(clusterId))) throw notFound('cluster', clusterId);
    const templates = await this.deps.store.listTemplates(clusterId);
    return templates.filter((t) => maySee(actor, { clusterId, templateId: t.id }));
  }

  /**
   * Starts a kernel of the template `templateId`: commits its application (type notebook, admitted
   * at once) and hands it to its back-end, which starts the kernel; answers once the kernel runs.
   */
  async start(clusterId: string, templateId: string, overrides: ApplicationConfig, actor?: Principal): Promise<Kernel> {
    authorize(actor, 'applications:create', { clusterId, templateId });
    if (!(await this.deps.store.getCluster(clusterId))) throw notFound('cluster', clusterId);
    const template = await this.deps.store.getTemplate(clusterId, templateId);
    if (!template) throw notFound('kernelspec (config template)', templateId);
    const merged = mergeConfig<ApplicationConfig>({ template: template.config, overrides });
    const config = parseOrThrow(ApplicationConfig, merged.config, ['config']);
    // an open notebook is ended by its idle time-out, not by the batch runs' 24 h one
    config.timeout ??= 'DISABLED';
    const now = this.deps.clock.now().toISOString();
    const app: Application = {
      id: appIdFor('notebook', this.ids.appSuffix(this.deps.clock.now())),
      clusterId,
      state: 'NEW',
      submissionSource: 'api',
      type: 'notebook',
      ...(actor ? { userId: actor.name } : {}),
      configTemplateId: templateId,
      configOverrides: overrides,
      config,
      provenance: merged.provenance,
      admittedAt: now,
      createdAt: now,
      updatedAt: now,
    };
    const { replicas, lifecycle } = this.deps.applications;
    const ownerId = replicas.ownerId;
    if (ownerId !== undefined) await replicas.register();
    await this.deps.store.insertApplication(app, ownerId !== undefined ? { ownerId } : undefined);
    await lifecycle.dispatch(app);
    const started = await this.deps.store.getApplication(app.id);
    const kernel = started?.backendRef !== undefined ? await this.deps.kernels.model(started.backendRef) : undefined;
    if (!kernel) {
      throw new DomainError(
        'BACKEND_UNAVAILABLE',
        `the kernel of notebook ${app.id} did not start: ${started?.stateReason ?? `it is ${started?.state ?? 'gone'}`}`,
      );
    }
    return kernel;
  }

  /** The running kernels of the cluster the caller may see. */
  async list(clusterId: string, actor?: Principal): Promise<Kernel[]> {
    authorize(actor, 'applications:read', { clusterId });
    const page = await this.deps.store.listApplications({ clusterId, types: ['notebook'], states: ['RUNNING'] }, 500);
    const kernels: Kernel[] = [];
    for (const app of page.items) {
      if (app.backendRef === undefined || !maySee(actor, targetOf(app))) continue;
      const kernel = await this.deps.kernels.model(app.backendRef);
      if (kernel) kernels.push(kernel);
    }
    return kernels;
  }

  async get(clusterId: string, kernelId: string, actor?: Principal): Promise<Kernel> {
    await this.appOf(clusterId, kernelId, 'applications:read', actor);
    return this.modelOrNotFound(kernelId);
  }

  async interrupt(clusterId: string, kernelId: string, actor?: Principal): Promise<void> {
    await this.appOf(clusterId, kernelId, 'applications:create', actor);
    await this.deps.kernels.interrupt(kernelId);
  }

  async restart(clusterId: string, kernelId: string, actor?: Principal): Promise<Kernel> {
    await this.appOf(clusterId, kernelId, 'applications:create', actor);
    const kernel = await this.deps.kernels.restart(kernelId);
    if (!kernel) throw notFound('kernel', kernelId);
    return kernel;
  }

  /** For the kernel's channels: the caller may run code in it. */
  async authorizeChannels(clusterId: string, kernelId: string, actor?: Principal): Promise<void> {
    await this.appOf(clusterId, kernelId, 'applications:create', actor);
  }

  /** Shuts the kernel down; its application ends COMPLETED, measured like any run. */
  async shutdown(clusterId: string, kernelId: string, actor?: Principal): Promise<void> {
    const app = await this.appOf(clusterId, kernelId, 'applications:kill', actor);
    await this.deps.kernels.shutdown(app, `the kernel was shut down by ${actor?.name ?? 'the runtime'}`);
    // the end is recorded (in the application's chain of transitions) before the answer
    await this.deps.applications.lifecycle.enqueue(app.id, async () => undefined);
  }

  private async modelOrNotFound(kernelId: string): Promise<Kernel> {
    const kernel = await this.deps.kernels.model(kernelId);
    if (!kernel) throw notFound('kernel', kernelId);
    return kernel;
  }

  /** The kernel's application, for a caller allowed `scope` on it; a kernel outside its limits reads as not found. */
  private async appOf(
    clusterId: string,
    kernelId: string,
    scope: 'applications:read' | 'applications:create' | 'applications:kill',
    actor?: Principal,
  ): Promise<Application> {
    const appId = this.deps.kernels.appOf(kernelId);
    const app = appId !== undefined ? await this.deps.store.getApplication(appId) : undefined;
    if (!app || app.clusterId !== clusterId) throw notFound('kernel', kernelId);
    authorizeFound(actor, scope, targetOf(app), notFound('kernel', kernelId));
    return app;
  }
}
