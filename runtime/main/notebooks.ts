/**
 * The notebooks of the runtime: one Kernel Gateway child process for every cluster (started on
 * the first kernel), the back-end of notebook applications, and the use cases the gateway API serves.
 */
import { join } from 'node:path';
import { NotebookService } from '../apps/notebook-service';
import type { ApplicationService } from '../apps/application-service';
import type { HttpDeps } from '../adapters/http/deps';
import { KernelGateway } from '../adapters/notebook/kernel-gateway';
import { NotebookBackend } from '../adapters/notebook/notebook-backend';
import type { Clock, Logger, Store } from '../domain/ports';
import type { ServiceConfig } from './config';
import { findSparkInstall, PROJECT_ROOT } from './spark-install';

export function notebookBackend(config: ServiceConfig, clock: Clock, logger: Logger): NotebookBackend {
  const idleTimeoutSeconds = config.notebooks.idleTimeoutMinutes * 60;
  const gateway = new KernelGateway({
    gatewayPython: config.notebooks.gatewayPython ?? join(PROJECT_ROOT, '.venv', 'jupyter', 'bin', 'python'),
    workDir: join(config.dataDir, 'notebooks', 'gateway'),
    idleTimeoutSeconds,
    kernel: () => {
      const spark = findSparkInstall();
      return {
        python: spark.pythonPath ?? join(PROJECT_ROOT, '.venv', 'bin', 'python'),
        env: { SPARK_HOME: spark.sparkHome, ...(spark.javaHome ? { JAVA_HOME: spark.javaHome } : {}) },
      };
    },
    logger,
  });
  return new NotebookBackend({
    gateway,
    dir: join(config.dataDir, 'notebooks', 'apps'),
    idleTimeoutSeconds,
    clock,
    logger,
  });
}

export function notebookHttp(
  backend: NotebookBackend,
  deps: { store: Store; applications: ApplicationService; clock: Clock },
): NonNullable<HttpDeps['notebooks']> {
  return {
    service: new NotebookService({ ...deps, kernels: backend }),
    channels: (kernelId, query) => backend.channels(kernelId, query),
  };
}
