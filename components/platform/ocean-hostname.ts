/**
 * Serves the hosted product's API name (api.spotinst.io) from the platform, for Airflow deployments
 * that cannot install the compat shim: ocean-spark-airflow-provider hard-codes
 * https://api.spotinst.io/ocean/spark/, and sparkplane answers the same paths. Inside the cluster the
 * name must resolve to an in-cluster ingress controller (a CoreDNS rewrite), that controller must
 * present a certificate for it (cert-manager, from the cluster's CA) and route it to the runtime,
 * and Airflow's pods must trust that CA (a bundle they mount, REQUESTS_CA_BUNDLE and SSL_CERT_FILE).
 */
import { rootCertificates } from 'node:tls';
import { DomainError, type FieldIssue } from '../../runtime/domain/errors';
import type { ClusterHandle } from '../cluster/handle';
import type { PlatformArgs } from './args';
import { ALB_CLASS } from './ingress-manifests';
import { appLabels, type Manifest } from './labels';

export type OceanHostnameArgs = NonNullable<PlatformArgs['oceanHostname']>;

/** The name the provider calls (its API_HOST), and the certificate's only DNS name. */
export const OCEAN_API_HOST = 'api.spotinst.io';
export const OCEAN_HOSTNAME_NAME = 'sparkplane-ocean-hostname';
/** The ConfigMap Airflow's pods mount, and where. */
export const OCEAN_CA_BUNDLE_CONFIGMAP = 'sparkplane-ocean-ca';
export const OCEAN_CA_BUNDLE_KEY = 'ca-bundle.crt';
export const OCEAN_CA_BUNDLE_MOUNT = '/etc/sparkplane-ocean-ca';
/** CoreDNS's key for a server-block snippet in AKS's, k3s's and RKE2's coredns-custom ConfigMap. */
const CUSTOM_KEY = 'sparkplane-ocean-hostname.override';

/** Rules across the option and the cluster, each naming the field, the value and the expectation. */
export function oceanHostnameIssues(
  args: OceanHostnameArgs,
  cluster: Pick<ClusterHandle, 'autoscaler' | 'ingressClasses'>,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const issue = (path: string, message: string) =>
    issues.push({ path: `oceanHostname.${path}`, message: `oceanHostname.${path}: ${message}` });
  if (args.ingressClassName === ALB_CLASS) {
    issue(
      'ingressClassName',
      '"alb" cannot serve it: an ALB presents ACM certificates only and lives outside the cluster, where CoreDNS cannot point; expected the class of an in-cluster controller such as "nginx"',
    );
  } else if (cluster.ingressClasses && !cluster.ingressClasses.includes(args.ingressClassName)) {
    issue(
      'ingressClassName',
      `${JSON.stringify(args.ingressClassName)} has no controller on the cluster; expected one of ${JSON.stringify(cluster.ingressClasses)}`,
    );
  }
  if (cluster.autoscaler === 'gke' && args.dns !== 'none') {
    issue(
      'dns',
      `${JSON.stringify(args.dns)} cannot work on GKE: its cluster DNS is kube-dns (or Cloud DNS), neither of which reads a CoreDNS rewrite; expected "none", with a Cloud DNS private zone for ${OCEAN_API_HOST} scoped to the cluster that answers the controller's internal load balancer address`,
    );
  }
  return issues;
}

export function checkOceanHostname(
  args: OceanHostnameArgs,
  cluster: Pick<ClusterHandle, 'autoscaler' | 'ingressClasses'>,
  runtimeEnabled: boolean,
): void {
  const issues = oceanHostnameIssues(args, cluster);
  if (!runtimeEnabled)
    issues.push({
      path: 'oceanHostname',
      message: `oceanHostname: routes ${OCEAN_API_HOST} to this cluster's runtime, which runtime.enabled: false leaves out; expected it on the cluster that runs the runtime`,
    });
  if (issues.length > 0) throw new DomainError('VALIDATION_FAILED', issues.map((i) => i.message).join('; '), issues);
}

/** The in-cluster name CoreDNS answers api.spotinst.io with: the ingress controller's Service. */
export function rewriteTarget(args: OceanHostnameArgs): string {
  return `${args.controllerService.name}.${args.controllerService.namespace}.svc.cluster.local`;
}

/** The CoreDNS rule; `answer auto` names api.spotinst.io in the answer too, so resolvers accept it. */
export function rewriteRule(args: OceanHostnameArgs): string {
  return `rewrite name exact ${OCEAN_API_HOST} ${rewriteTarget(args)} answer auto`;
}

/**
 * The whole Corefile of EKS's CoreDNS (its default, as EKS writes kube-system/coredns) with the
 * rule: EKS's Corefile imports no snippet, so the rule can only be written into it.
 */
export function eksCorefile(args: OceanHostnameArgs): string {
  return [
    '.:53 {',
    '    errors',
    '    health {',
    '        lameduck 5s',
    '    }',
    '    ready',
    `    ${rewriteRule(args)}`,
    '    kubernetes cluster.local in-addr.arpa ip6.arpa {',
    '        pods insecure',
    '        fallthrough in-addr.arpa ip6.arpa',
    '    }',
    '    prometheus :9153',
    '    forward . /etc/resolv.conf',
    '    cache 30',
    '    loop',
    '    reload',
    '    loadbalance',
    '}',
    '',
  ].join('\n');
}

/** What Airflow trusts: the public roots (Node's Mozilla store, so other HTTPS calls keep working) and the cluster's CA. */
export function caBundle(caCertificate: string): string {
  return [...rootCertificates, caCertificate.trim()].join('\n') + '\n';
}

export interface OceanHostnameManifests {
  /** Created and deleted with the stack. */
  objects: Manifest[];
  /** kube-system's CoreDNS ConfigMap, patched (server-side apply) rather than owned; absent with dns "none". */
  dnsPatch?: Manifest;
}

export function oceanHostnameManifests(input: {
  args: OceanHostnameArgs;
  /** The runtime's namespace: the Certificate, its Secret and the Ingress live beside its Service. */
  namespace: string;
  runtimeService: { name: string; portName: string };
}): OceanHostnameManifests {
  const { args, namespace } = input;
  const labels = appLabels(OCEAN_HOSTNAME_NAME, 'ocean-hostname');
  const secretName = `${OCEAN_HOSTNAME_NAME}-tls`;
  const certificate: Manifest = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: OCEAN_HOSTNAME_NAME, namespace, labels },
    spec: {
      secretName,
      dnsNames: [OCEAN_API_HOST],
      issuerRef: { group: 'cert-manager.io', kind: args.issuer.kind, name: args.issuer.name },
      usages: ['server auth', 'digital signature'],
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    },
  };
  const ingress: Manifest = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: OCEAN_HOSTNAME_NAME, namespace, labels },
    spec: {
      ingressClassName: args.ingressClassName,
      tls: [{ hosts: [OCEAN_API_HOST], secretName }],
      rules: [
        {
          host: OCEAN_API_HOST,
          http: {
            // the provider's paths only: the rest of the hosted name was never sparkplane's
            paths: [
              {
                path: '/ocean/spark',
                pathType: 'Prefix',
                backend: {
                  service: { name: input.runtimeService.name, port: { name: input.runtimeService.portName } },
                },
              },
            ],
          },
        },
      ],
    },
  };
  const bundle = caBundle(args.caCertificate);
  const bundles: Manifest[] = args.airflowNamespaces.map((airflowNamespace) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: OCEAN_CA_BUNDLE_CONFIGMAP, namespace: airflowNamespace, labels },
    data: { [OCEAN_CA_BUNDLE_KEY]: bundle },
  }));
  const dnsPatch: Manifest | undefined =
    args.dns === 'none'
      ? undefined
      : {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: args.dns === 'coredns-custom' ? 'coredns-custom' : 'coredns',
            namespace: 'kube-system',
            // EKS wrote the Corefile: taking it over is the point of this mode
            ...(args.dns === 'eks-coredns' ? { annotations: { 'pulumi.com/patchForce': 'true' } } : {}),
          },
          data:
            args.dns === 'coredns-custom'
              ? { [CUSTOM_KEY]: `${rewriteRule(args)}\n` }
              : { Corefile: eksCorefile(args) },
        };
  return { objects: [certificate, ingress, ...bundles], ...(dnsPatch ? { dnsPatch } : {}) };
}

/** The settings of Airflow's pods (scheduler, workers, triggerer, webserver), as the official chart's values take them. */
export function airflowPodSettings(): {
  env: { name: string; value: string }[];
  volumes: Record<string, unknown>[];
  volumeMounts: Record<string, unknown>[];
} {
  const file = `${OCEAN_CA_BUNDLE_MOUNT}/${OCEAN_CA_BUNDLE_KEY}`;
  return {
    // requests (the REST hook) reads the first, Python's ssl (the Connect websocket) the second
    env: [
      { name: 'REQUESTS_CA_BUNDLE', value: file },
      { name: 'SSL_CERT_FILE', value: file },
    ],
    volumes: [{ name: OCEAN_CA_BUNDLE_CONFIGMAP, configMap: { name: OCEAN_CA_BUNDLE_CONFIGMAP } }],
    volumeMounts: [{ name: OCEAN_CA_BUNDLE_CONFIGMAP, mountPath: OCEAN_CA_BUNDLE_MOUNT, readOnly: true }],
  };
}
