/**
 * Whether spark-operator can start SparkApplications, from its Deployments: the controller starts
 * them, the webhook (when deployed) admits them. With the CRD installed and either of them down,
 * applications would wait without a word, so the cluster reads DEGRADED with the reason.
 */
import type { V1Deployment } from '@kubernetes/client-node';

export interface OperatorHealth {
  /** Why applications cannot start now; absent when the operator runs. */
  problem?: string;
  /** The operator's version, from its chart's label or its image's tag. */
  version?: string;
}

const componentOf = (d: V1Deployment) => d.metadata?.labels?.['app.kubernetes.io/component'];

function available(d: V1Deployment): string | undefined {
  const ready = d.status?.availableReplicas ?? 0;
  return ready >= 1 ? undefined : `${ready}/${d.spec?.replicas ?? 1} available replicas`;
}

function versionOf(d: V1Deployment): string | undefined {
  const label = d.metadata?.labels?.['app.kubernetes.io/version'];
  if (label) return label;
  const image = d.spec?.template?.spec?.containers?.[0]?.image;
  const tag = image?.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : undefined;
  return tag && !tag.includes('/') ? tag : undefined;
}

export function operatorHealth(deployments: V1Deployment[], namespace: string): OperatorHealth {
  const controller =
    deployments.find((d) => componentOf(d) === 'controller') ?? (deployments.length === 1 ? deployments[0] : undefined);
  if (!controller) {
    return {
      problem: `spark-operator's controller is not deployed in namespace ${namespace} (no Deployment labelled app.kubernetes.io/name=spark-operator): SparkApplications would never start`,
    };
  }
  const version = versionOf(controller);
  const found = version ? { version } : {};
  const controllerDown = available(controller);
  if (controllerDown) {
    return {
      ...found,
      problem: `spark-operator's controller ${namespace}/${controller.metadata?.name} has ${controllerDown}: SparkApplications are not started`,
    };
  }
  const webhook = deployments.find((d) => componentOf(d) === 'webhook');
  const webhookDown = webhook && available(webhook);
  if (webhookDown) {
    return {
      ...found,
      problem: `spark-operator's webhook ${namespace}/${webhook.metadata?.name} has ${webhookDown}: SparkApplications cannot be admitted`,
    };
  }
  return found;
}
