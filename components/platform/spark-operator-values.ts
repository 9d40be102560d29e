/** Values of the spark-operator chart (2.5): the namespaces it watches, webhook, metrics (and their PodMonitor), no RBAC of its own for Spark. */
import type { MirrorArgs } from '../cluster/mirrors';
import type { PlatformArgs } from './args';

export function sparkOperatorValues(
  args: PlatformArgs['sparkOperator'],
  jobNamespace: string,
  mirrors: MirrorArgs = {},
  monitoring: Pick<PlatformArgs['monitoring'], 'serviceMonitor' | 'labels'> = { serviceMonitor: false, labels: {} },
): Record<string, unknown> {
  return {
    // the chart's image under its upstream repository path, from the mirror registry
    ...(mirrors.images ? { image: { registry: mirrors.images } } : {}),
    spark: {
      jobNamespaces: [jobNamespace],
      // the platform creates the driver/executor service accounts (named in the cloud's identity bindings) and their RBAC
      serviceAccount: { create: false },
      rbac: { create: false },
    },
    controller: {
      replicas: args.controllerReplicas,
      workers: args.workers,
      leaderElection: { enable: true },
      uiService: { enable: true },
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    },
    webhook: {
      enable: true,
      replicas: args.webhookReplicas,
      // a Spark pod that missed its mutation (volumes, tolerations, affinity) would run wrong, so fail
      // closed; the webhook only matches pods of the job namespaces, so the rest of the cluster is unaffected
      failurePolicy: 'Fail',
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    },
    prometheus: {
      metrics: { enable: true, port: 8080, portName: 'metrics', endpoint: '/metrics', prefix: '' },
      // the operator's metrics need no token: scraped by the chart's own PodMonitor beside the runtime's ServiceMonitor
      podMonitor: { create: monitoring.serviceMonitor, labels: monitoring.labels },
    },
  };
}
