/**
 * The health of a kubernetes cluster: UNREACHABLE when its API server does not answer, PROGRESSING
 * while spark-operator's SparkApplication CRD is missing or does not serve v1beta2, DEGRADED while
 * the operator's controller or webhook is not running (applications would wait without a word),
 * AVAILABLE otherwise; with the versions read, its nodes (all and Ready) where it lets the runtime
 * list them, and the last time it answered.
 */
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import type { ClusterHealth } from '../../domain/cluster';
import type { Clock } from '../../domain/ports';
import type { SparkOperatorClient } from './kube-client';
import { operatorHealth } from './operator-health';
import { SPARK_APPLICATION_CRD, SPARK_OPERATOR_VERSION } from './spark-application';

export class HealthProbe {
  /** Kept across failed probes: when the cluster was last heard from. */
  private lastHeartbeat: string | undefined;
  /** Why the last probe found that applications cannot start (the operator down); absent when they can. */
  operatorProblem: string | undefined;

  constructor(
    private readonly client: SparkOperatorClient,
    private readonly clock: Clock,
    private readonly operatorNamespace: string,
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
    let deployments: Awaited<ReturnType<SparkOperatorClient['operatorDeployments']>>;
    try {
      // the node count only informs: failing to read it leaves it unknown, not the cluster down
      [crd, nodes, deployments] = await Promise.all([
        this.client.sparkApplicationCrd(),
        this.client.nodeCounts().catch(() => undefined),
        this.client.operatorDeployments(this.operatorNamespace),
      ]);
    } catch (error) {
      return { state: 'UNREACHABLE', kubernetesVersion, lastHeartbeat, reason: (error as Error).message };
    }
    const health = this.judge(crd, deployments, { kubernetesVersion, ...(nodes ? { nodes } : {}), lastHeartbeat });
    this.operatorProblem = health.state === 'DEGRADED' ? health.reason : undefined;
    return health;
  }

  private judge(
    crd: V1CustomResourceDefinition | undefined,
    deployments: Awaited<ReturnType<SparkOperatorClient['operatorDeployments']>>,
    known: Pick<ClusterHealth, 'kubernetesVersion' | 'nodes' | 'lastHeartbeat'>,
  ): ClusterHealth {
    if (!crd) {
      const reason = `spark-operator is not installed (no CRD ${SPARK_APPLICATION_CRD})`;
      return { state: 'PROGRESSING', ...known, reason };
    }
    if (!crd.spec.versions.some((v) => v.name === SPARK_OPERATOR_VERSION && v.served)) {
      const reason = `CRD ${SPARK_APPLICATION_CRD} does not serve ${SPARK_OPERATOR_VERSION}`;
      return { state: 'PROGRESSING', ...known, reason };
    }
    if (!deployments) {
      const reason = `the runtime may not list the deployments of namespace ${this.operatorNamespace}: whether spark-operator runs is not known`;
      return { state: 'AVAILABLE', ...known, reason };
    }
    const operator = operatorHealth(deployments, this.operatorNamespace);
    const versions = { ...known, ...(operator.version ? { operatorVersion: operator.version } : {}) };
    if (operator.problem) return { state: 'DEGRADED', ...versions, reason: operator.problem };
    return { state: 'AVAILABLE', ...versions };
  }
}
