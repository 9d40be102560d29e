/** The Spark History Server, reading event logs from the cluster's object storage. */
import type { PlatformArgs } from './args';
import type { SparkIdentity } from '../cluster/handle';
import { appLabels, type Manifest, selectorLabels } from './labels';

export const HISTORY_SERVER_NAME = 'spark-history-server';
export const HISTORY_SERVER_PORT = 18080;

/** SPARK_HISTORY_OPTS for an event-log directory; S3 credentials come from Pod Identity through the SDK's default chain. */
export function historyServerOptions(eventLogUrl: string): string {
  const options = [
    `-Dspark.history.fs.logDirectory=${eventLogUrl}`,
    '-Dspark.history.fs.update.interval=30s',
    '-Dspark.history.retainedApplications=50',
  ];
  if (eventLogUrl.startsWith('s3a://')) {
    options.push(
      '-Dspark.hadoop.fs.s3a.aws.credentials.provider=software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider',
    );
  }
  return options.join(' ');
}

export function historyServerManifests(
  spark: SparkIdentity,
  args: PlatformArgs['historyServer'],
  historyOptions: unknown,
): Manifest[] {
  const namespace = spark.historyNamespace;
  const labels = appLabels(HISTORY_SERVER_NAME, 'history-server');
  const selector = selectorLabels(HISTORY_SERVER_NAME);
  const meta = { name: HISTORY_SERVER_NAME, namespace, labels };
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: spark.historyServiceAccount,
        namespace,
        labels,
        annotations: spark.serviceAccountAnnotations as Record<string, string>,
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta,
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: spark.historyServiceAccount,
            securityContext: { runAsNonRoot: true, runAsUser: 185, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'history-server',
                image: args.image,
                command: ['/opt/spark/bin/spark-class', 'org.apache.spark.deploy.history.HistoryServer'],
                env: [
                  { name: 'SPARK_HISTORY_OPTS', value: historyOptions },
                  { name: 'SPARK_NO_DAEMONIZE', value: 'true' },
                ],
                ports: [{ name: 'http', containerPort: HISTORY_SERVER_PORT }],
                resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } },
                readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: '/', port: 'http' }, initialDelaySeconds: 60, periodSeconds: 30 },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta,
      spec: { selector, ports: [{ name: 'http', port: HISTORY_SERVER_PORT, targetPort: 'http' }] },
    },
  ];
}
