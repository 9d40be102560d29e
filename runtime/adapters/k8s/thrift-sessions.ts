/**
 * sql sessions (session.kind sql) on Kubernetes: the Spark Thrift Server (HiveThriftServer2) is the
 * driver of a SparkApplication named after the application, run from the image's own Spark jars
 * (spark-hive-thriftserver, in the jars/ of every Spark distribution), binary transport without SASL
 * on port 10000, with a ClusterIP Service `<name>-thrift` in front of the driver. The Service is
 * owned by the SparkApplication, so it goes with it (a kill deletes both at once). The session is
 * RUNNING only once a real HiveServer2 OpenSession answers through sessionThriftAddress
 * (session-readiness.ts); the /hive and /code relays then reach it there. Its metastore (Derby) and
 * warehouse are the driver pod's own, and end with it.
 */
import type { V1Service } from '@kubernetes/client-node';
import type { ApplicationConfig } from '../../domain/config';
import type { BackendStatus, ConnectEndpoint } from '../../domain/ports';
import { hiveConfArguments, hiveServerConf, THRIFT_SERVER_CLASS } from '../thrift/thrift-server';
import { thriftServerAnswers } from '../thrift/thrift-probe';
import type { KubernetesClusterSettings } from './cluster-settings';
import { fillAddress } from './connect-states';
import type { SparkOperatorClient } from './kube-client';
import { renderSparkApplication, type RenderContext } from './render';
import { SessionReadiness, type SessionReadinessContext } from './session-readiness';
import {
  type SparkApplication,
  SPARK_OPERATOR_GROUP,
  SPARK_OPERATOR_VERSION,
  SPARKPLANE_LABELS,
} from './spark-application';

/** HiveServer2's binary port on the driver, and on its Service. */
export const THRIFT_PORT = 10000;
/** On the SparkApplication of a sql session: its watch events go through the readiness probe. */
export const SESSION_KIND_LABEL = 'sparkplane.io/session-kind';

export function thriftServiceName(applicationName: string): string {
  return `${applicationName}-thrift`;
}

/** spark-hive-thriftserver_<scala>-<version>.jar: Spark 4 is built for Scala 2.13 only, Spark 3's images for 2.12. */
function thriftServerJar(sparkVersion: string): string {
  const scala = Number(sparkVersion.split('.')[0]) >= 4 ? '2.13' : '2.12';
  return `spark-hive-thriftserver_${scala}-${sparkVersion}.jar`;
}

/**
 * The config a sql session's driver runs: the Thrift Server's class and jar (what the config named
 * as its main file is not run), listening on every address of its pod for the Service; Hive support
 * on; dynamic allocation on unless the config turned it off, since a session idles between queries.
 */
export function thriftServerConfig(config: ApplicationConfig, settings: KubernetesClusterSettings): ApplicationConfig {
  const sparkVersion = config.sparkVersion ?? settings.defaultSparkVersion;
  const sparkConf: Record<string, string> = { ...config.sparkConf, 'spark.sql.catalogImplementation': 'hive' };
  sparkConf['spark.dynamicAllocation.enabled'] ??= 'true';
  sparkConf['spark.dynamicAllocation.minExecutors'] ??= '0';
  return {
    ...config,
    type: 'Scala',
    mainClass: THRIFT_SERVER_CLASS,
    mainApplicationFile: `spark-home://jars/${thriftServerJar(sparkVersion)}`,
    arguments: hiveConfArguments(hiveServerConf('0.0.0.0', THRIFT_PORT)),
    sparkConf,
  };
}

export function renderThriftServer(config: ApplicationConfig, context: RenderContext): SparkApplication {
  const resource = renderSparkApplication(thriftServerConfig(config, context.settings), context);
  resource.metadata.labels = { ...resource.metadata.labels, [SESSION_KIND_LABEL]: 'sql' };
  return resource;
}

/** The Service in front of the Thrift Server's driver, owned by its SparkApplication (uid as created). */
export function renderThriftService(application: SparkApplication): V1Service {
  const { name, namespace, labels = {}, uid } = application.metadata;
  const appId = labels[SPARKPLANE_LABELS.appId] ?? name;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: thriftServiceName(name),
      namespace,
      labels: {
        [SPARKPLANE_LABELS.appId]: appId,
        ...(labels[SPARKPLANE_LABELS.clusterId]
          ? { [SPARKPLANE_LABELS.clusterId]: labels[SPARKPLANE_LABELS.clusterId] }
          : {}),
        [SPARKPLANE_LABELS.managedBy]: 'sparkplane',
      },
      ...(uid
        ? {
            ownerReferences: [
              {
                apiVersion: `${SPARK_OPERATOR_GROUP}/${SPARK_OPERATOR_VERSION}`,
                kind: 'SparkApplication',
                name,
                uid,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      type: 'ClusterIP',
      // Spark labels its driver pod spark-role=driver; the app-id label is on every pod sparkplane renders
      selector: { [SPARKPLANE_LABELS.appId]: appId, 'spark-role': 'driver' },
      ports: [{ name: 'thrift', port: THRIFT_PORT, targetPort: THRIFT_PORT, protocol: 'TCP', appProtocol: 'tcp' }],
    },
  };
}

export function isThriftServer(resource: SparkApplication): boolean {
  return resource.metadata.labels?.[SESSION_KIND_LABEL] === 'sql';
}

export interface ThriftSessionsOptions extends SessionReadinessContext {
  client: SparkOperatorClient;
  settings: KubernetesClusterSettings;
}

export class ThriftSessions {
  private readonly readiness: SessionReadiness;

  constructor(private readonly options: ThriftSessionsOptions) {
    this.readiness = new SessionReadiness(
      { name: 'the Spark Thrift Server', answers: thriftServerAnswers, remove: (name) => this.kill(name) },
      options,
    );
  }

  /** After its SparkApplication was created (or found, on a retried submission): the Service in front of its driver. */
  async expose(resource: SparkApplication): Promise<void> {
    const created = await this.options.client.getApplication(resource.metadata.name);
    // 'exists': an earlier attempt of this same submission made it (the name is the application's)
    await this.options.client.createService(renderThriftService(created ?? resource));
  }

  /** Deletes the SparkApplication and its Service (garbage collection would too, later). */
  async kill(name: string): Promise<void> {
    await this.options.client.deleteApplication(name);
    await this.options.client.deleteService(thriftServiceName(name));
  }

  /** What the cluster says of the session's SparkApplication: RUNNING waits for an OpenSession answer. */
  seen(appId: string, resource: SparkApplication, status: BackendStatus): void {
    const { name, namespace } = resource.metadata;
    const address = fillAddress(this.options.settings.sessionThriftAddress, {
      service: thriftServiceName(name),
      namespace,
    });
    const shown = address ? `${address.host}:${address.port}` : 'an address not known yet';
    this.readiness.seen(appId, {
      status: (answered) =>
        status.state !== 'RUNNING' || answered
          ? status
          : { state: 'PENDING', reason: `the driver runs; waiting for the Spark Thrift Server to answer at ${shown}` },
      askable: status.state === 'RUNNING',
      address,
      name,
    });
  }

  gone(appId: string): void {
    this.readiness.gone(appId);
  }

  /** The session's state now, the server asked first when its driver runs. */
  current(appId: string): Promise<BackendStatus | undefined> {
    return this.readiness.current(appId);
  }

  /** Where the Thrift Server answered, once it has. */
  endpoint(appId: string): ConnectEndpoint | undefined {
    return this.readiness.endpoint(appId);
  }

  close(): void {
    this.readiness.close();
  }
}
