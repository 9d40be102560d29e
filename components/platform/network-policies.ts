/**
 * NetworkPolicies: deny ingress by default in the platform and Spark namespaces, then allow what
 * is needed: the runtime's API, the database from the runtime only, the History Server, and Spark
 * drivers and executors talking to each other.
 */
import { HISTORY_SERVER_NAME, HISTORY_SERVER_PORT } from './history-server-manifests';
import { appLabels, type Manifest, selectorLabels } from './labels';
import { POSTGRES_NAME } from './postgres-manifests';
import { RUNTIME_NAME, RUNTIME_PORT } from './runtime-manifests';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function policy(name: string, namespace: string, spec: Record<string, unknown>): Manifest {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels: appLabels('sparkplane', 'network-policy') },
    spec,
  };
}

export function networkPolicies(input: {
  systemNamespace: string;
  sparkNamespace: string;
  operatorNamespace: string;
  inClusterDatabase: boolean;
  /** Namespace of the History Server; undefined when it is not installed. */
  historyNamespace: string | undefined;
}): Manifest[] {
  const sys = input.systemNamespace;
  const policies = [
    policy('default-deny-ingress', sys, { podSelector: {}, policyTypes: ['Ingress'] }),
    // the API and UI: from the ingress controller, users' port-forwards and Prometheus, all on one port
    policy(`${RUNTIME_NAME}-api`, sys, {
      podSelector: { matchLabels: selectorLabels(RUNTIME_NAME) },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ port: RUNTIME_PORT, protocol: 'TCP' }] }],
    }),
    policy('default-deny-ingress', input.sparkNamespace, { podSelector: {}, policyTypes: ['Ingress'] }),
    // drivers and executors of one application talk to each other (block manager, shuffle); the
    // runtime and spark-operator reach the driver UI
    policy('spark-applications', input.sparkNamespace, {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { podSelector: {} },
            { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: sys } } },
            { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: input.operatorNamespace } } },
          ],
        },
      ],
    }),
  ];
  if (input.inClusterDatabase) {
    policies.push(
      policy(POSTGRES_NAME, sys, {
        podSelector: { matchLabels: selectorLabels(POSTGRES_NAME) },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: selectorLabels(RUNTIME_NAME) } }],
            ports: [{ port: 5432, protocol: 'TCP' }],
          },
        ],
      }),
    );
  }
  if (input.historyNamespace !== undefined) {
    policies.push(
      policy(HISTORY_SERVER_NAME, input.historyNamespace, {
        podSelector: { matchLabels: selectorLabels(HISTORY_SERVER_NAME) },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ port: HISTORY_SERVER_PORT, protocol: 'TCP' }] }],
      }),
    );
  }
  return policies;
}
