/**
 * The health of a kubernetes cluster: UNREACHABLE when its API server does not answer, PROGRESSING
 * while spark-operator's SparkApplication CRD is missing or does not serve v1beta2 (applications
 * would wait), AVAILABLE otherwise; with the versions read, its nodes (all and Ready) where it
 * lets the runtime list them, and the last time it answered.
 */
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import type { ClusterHealth } from '../../domain/cluster';
import type { Clock } from '../../domain/ports';
import type { SparkOperatorClient } from './kube-client';
import { SPARK_APPLICATION_CRD, SPARK_OPERATOR_VERSION } from './spark-application';

export class HealthProbe {
  /** Kept across failed probes: when the cluster was last heard from. */
  private lastHeartbeat: string | undefined;

  constructor(
    private readonly client: SparkOperatorClient,
    private readonly clock: Clock,
  ) {}

  async probe(): Promise<ClusterHealth> {
    let kubernetesVersion: string;
    try {
      kubernetesVersion = await this.client.kubernetesVersion();
    } catch (error) {
      return {
        state: 'UNREACHABLE',
        ...(this.lastHeartbeat ? { lastHeartbeat: this.lastHeartbeat } : {}),
        reason: (error as Error).message,
      };
    }
    const lastHeartbeat = this.clock.now().toISOString();
    this.lastHeartbeat = lastHeartbeat;
    let crd: V1CustomResourceDefinition | undefined;
    let nodes: ClusterHealth['nodes'];
    try {
      // the node count only informs: failing to read it leaves it unknown, not the cluster down
      [crd, nodes] = await Promise.all([
        this.client.sparkApplicationCrd(),
        this.client.nodeCounts().catch(() => undefined),
      ]);
    } catch (error) {
      return { state: 'UNREACHABLE', kubernetesVersion, lastHeartbeat, reason: (error as Error).message };
    }
    const known = { kubernetesVersion, ...(nodes ? { nodes } : {}), lastHeartbeat };
    if (!crd) {
      const reason = `spark-operator is not installed (no CRD ${SPARK_APPLICATION_CRD})`;
      return { state: 'PROGRESSING', ...known, reason };
    }
    // the Helm chart labels its CRDs with the operator's version
    const operatorVersion = crd.metadata?.labels?.['app.kubernetes.io/version'];
    const versions = { ...known, ...(operatorVersion ? { operatorVersion } : {}) };
    if (!crd.spec.versions.some((v) => v.name === SPARK_OPERATOR_VERSION && v.served)) {
      const reason = `CRD ${SPARK_APPLICATION_CRD} does not serve ${SPARK_OPERATOR_VERSION}`;
      return { state: 'PROGRESSING', ...versions, reason };
    }
    return { state: 'AVAILABLE', ...versions };
  }
}
