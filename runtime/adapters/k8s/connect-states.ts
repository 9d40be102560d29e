/**
 * A SparkConnect's status -> the runtime's view of its session. spark-operator's states are "" (not
 * seen yet), Provisioning, Ready (the server pod passed its readiness probe), NotReady and Failed
 * (api/v1alpha1 SparkConnectState). Ready is not enough: the session is RUNNING only once the
 * runtime got a gRPC answer through the address it reaches the server by.
 */
import type { BackendStatus } from '../../domain/ports';
import type { SparkConnectObject } from './spark-connect';

/** The operator's own words on the server pod (its ServerPodReady condition), when it wrote any. */
function operatorMessage(resource: SparkConnectObject): string | undefined {
  const conditions = resource.status?.conditions ?? [];
  const notReady = conditions.find((c) => c.status === 'False' && c.message);
  return (notReady ?? conditions.find((c) => c.message))?.message;
}

/**
 * @param answeredAt where the server answered a Spark Connect call, when it has; `address` where it
 * is being tried (for the reason of a session still waiting).
 */
export function connectStatus(
  resource: SparkConnectObject,
  probe: { answered: boolean; address?: string },
): BackendStatus {
  const state = resource.status?.state ?? '';
  const said = operatorMessage(resource);
  const startedAt = resource.status?.startTime;
  if (state === 'Failed') {
    return { state: 'FAILED', reason: `the Spark Connect server failed: ${said ?? 'spark-operator gave no reason'}` };
  }
  // a server that answered and went NotReady (its pod restarting) is still the running session
  if (probe.answered) return { state: 'RUNNING', ...(startedAt ? { startedAt } : {}) };
  if (state === 'Ready') {
    const where = probe.address ?? 'an address not known yet (the server pod has no IP)';
    return { state: 'PENDING', reason: `the server pod is ready; waiting for Spark Connect to answer at ${where}` };
  }
  if (state === '' || state === 'Provisioning' || state === 'NotReady') {
    return {
      state: 'PENDING',
      reason: said ?? (state === '' ? 'spark-operator has not seen the SparkConnect yet' : `SparkConnect is ${state}`),
    };
  }
  return { state: 'PENDING', reason: `unknown SparkConnect state ${state}` };
}

/**
 * A "host:port" template (a cluster setting) with its {placeholders} filled in; undefined while a
 * placeholder has no value yet.
 */
export function fillAddress(
  template: string,
  values: Record<string, string | undefined>,
): { host: string; port: number } | undefined {
  let missing = false;
  const filled = template.replace(/\{(\w+)\}/g, (_all, key: string) => {
    const value = values[key];
    if (!value) missing = true;
    return value ?? '';
  });
  if (missing) return undefined;
  const colon = filled.lastIndexOf(':');
  return { host: filled.slice(0, colon), port: Number(filled.slice(colon + 1)) };
}

/**
 * The "host:port" the runtime reaches a session's server by: the cluster's sessionConnectAddress
 * with {service}, {namespace} and {podIp} filled in; undefined while a placeholder has no value yet.
 */
export function connectAddress(
  template: string,
  resource: SparkConnectObject,
): { host: string; port: number } | undefined {
  return fillAddress(template, {
    // what the operator's GetServerServiceName defaults to when the spec names no Service
    service: resource.status?.server?.serviceName ?? `${resource.metadata.name}-server`,
    namespace: resource.metadata.namespace,
    podIp: resource.status?.server?.podIp,
  });
}
