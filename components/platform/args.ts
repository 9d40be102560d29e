/** Arguments of the platform component, validated once (also the `platform` key of the stack config). */
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { HistoryServerUrl } from '../../runtime/domain/spark-ui';
import { MirrorArgs } from '../cluster/mirrors';
import { OPERATOR_NAMESPACE } from '../cluster/spark-identity';
import { HISTORY_SERVER_IMAGE, POSTGRES_IMAGE } from './versions';

const image = z.string().regex(/^[a-z0-9]+([._/:@-][a-zA-Z0-9_.-]+)*$/, {
  message: 'is not a container image reference such as "ghcr.io/acme/sparkplane:0.1.0"',
});
const kubernetesName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: 'is not a Kubernetes name such as "airflow"' });
const isCaCertificate = (pem: string) => {
  try {
    return new X509Certificate(pem).ca;
  } catch {
    return false;
  }
};
const cpu = z.string().regex(/^[0-9]+m?$/, { message: 'is not a CPU quantity such as "500m" or "2"' });

export const PlatformArgs = z.strictObject({
  /** Where spark-operator's chart and image, PostgreSQL's and the History Server's images come from. @default upstream */
  mirrors: MirrorArgs.default({}),
  /** Namespace of spark-operator (its controller and webhook). @default "spark-operator" */
  operatorNamespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: 'is not a Kubernetes name such as "spark-operator"' })
    .default(OPERATOR_NAMESPACE),
  /** Image of the sparkplane runtime (built from the repository's Dockerfile). */
  runtimeImage: image,
  /** Replicas of the runtime; more than one needs PostgreSQL (always the case here). @default 2 */
  runtimeReplicas: z.number().int().min(1).max(10).default(2),
  /** @default { cpuRequest: "250m", memoryMiB: 512 } */
  runtimeResources: z
    .strictObject({ cpuRequest: cpu.default('250m'), memoryMiB: z.number().int().min(128).default(512) })
    .default({ cpuRequest: '250m', memoryMiB: 512 }),
  /** Expose the runtime's API and UI through an Ingress. @default none (ClusterIP only) */
  ingress: z
    .strictObject({
      host: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: 'is not a host name such as "spark.example.com"' }),
      /** Ingress class; "alb" needs the AWS Load Balancer Controller (aws.loadBalancerController). @default "alb" */
      className: z.string().min(1).default('alb'),
      /** ACM certificate the ALB terminates TLS with; required with className "alb" (an ALB ignores TLS secrets). */
      certificateArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, {
          message: 'is not an ACM certificate ARN such as "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e..."',
        })
        .optional(),
      /** Where an ALB is reachable from. @default "internal" (the VPC and what is peered with it) */
      scheme: z.enum(['internal', 'internet-facing']).default('internal'),
      /** TLS secret in the sparkplane namespace, for other classes (nginx...); absent: the controller terminates TLS. */
      tlsSecretName: z.string().min(1).optional(),
    })
    .optional(),
  /**
   * Serve the hosted product's API name, api.spotinst.io, to the cluster's pods, for Airflow
   * deployments that cannot install the compat shim (components/platform/ocean-hostname.ts).
   * @default none (off)
   */
  oceanHostname: z
    .strictObject({
      /** The cert-manager issuer of the cluster's CA; an Issuer must be in the runtime's namespace. */
      issuer: z.strictObject({
        /** @default "ClusterIssuer" */
        kind: z.enum(['ClusterIssuer', 'Issuer']).default('ClusterIssuer'),
        name: kubernetesName,
      }),
      /** The PEM certificate of that CA: Airflow's pods trust it. */
      caCertificate: z.string().refine(isCaCertificate, {
        message: 'is not a PEM CA certificate (-----BEGIN CERTIFICATE-----, basicConstraints CA:TRUE)',
      }),
      /** Class of an in-cluster ingress controller that terminates TLS with a Secret ("nginx", "traefik"...). */
      ingressClassName: z.string().min(1),
      /** That controller's Service, which api.spotinst.io resolves to inside the cluster. */
      controllerService: z.strictObject({ name: kubernetesName, namespace: kubernetesName }),
      /**
       * How the cluster DNS learns the name: "coredns-custom" adds a snippet to kube-system/coredns-custom
       * (AKS, k3s, RKE2); "eks-coredns" writes EKS's Corefile with the rule into kube-system/coredns
       * (self-managed CoreDNS; the EKS add-on reverts edits); "none" leaves DNS to you (GKE: kube-dns cannot rewrite).
       */
      dns: z.enum(['coredns-custom', 'eks-coredns', 'none']),
      /** Namespaces of the Airflow deployment: each gets the CA bundle ConfigMap its pods mount. */
      airflowNamespaces: z.array(kubernetesName).min(1),
    })
    .optional(),
  /** The in-cluster PostgreSQL, used when the cluster component created no managed database. */
  inClusterDatabase: z
    .strictObject({
      /** @default POSTGRES_IMAGE */
      image: image.default(POSTGRES_IMAGE),
      /** @default 10 */
      storageGiB: z.number().int().min(1).default(10),
    })
    .default({ image: POSTGRES_IMAGE, storageGiB: 10 }),
  historyServer: z
    .strictObject({
      /** @default true */
      enabled: z.boolean().default(true),
      /** Must contain hadoop-aws (s3a) or the GCS connector. @default HISTORY_SERVER_IMAGE */
      image: image.default(HISTORY_SERVER_IMAGE),
      /**
       * Where browsers reach it (an Ingress or a load balancer of your own): ended applications
       * link their run there. @default none: the in-cluster address is no link for a browser
       */
      publicUrl: HistoryServerUrl.optional(),
    })
    .default({ enabled: true, image: HISTORY_SERVER_IMAGE }),
  /**
   * Prometheus: `/metrics` takes a token, which the platform creates (Secret `sparkplane-metrics`,
   * key `token`, scope metrics:read). With `serviceMonitor`, a prometheus-operator ServiceMonitor
   * sends it, and spark-operator's chart adds its PodMonitor (its metrics need none).
   * @default { serviceMonitor: false, labels: {}, interval: "30s" }
   */
  monitoring: z
    .strictObject({
      /** Render the ServiceMonitor and PodMonitor; needs prometheus-operator's CRDs in the cluster. @default false */
      serviceMonitor: z.boolean().default(false),
      /** Labels the Prometheus' serviceMonitorSelector matches (kube-prometheus-stack: `release: <its release>`). @default {} */
      labels: z.record(z.string(), z.string()).default({}),
      /** @default "30s" */
      interval: z
        .string()
        .regex(/^[1-9][0-9]*(s|m)$/, { message: 'is not a scrape interval such as "30s" or "1m"' })
        .default('30s'),
    })
    .default({ serviceMonitor: false, labels: {}, interval: '30s' }),
  sparkOperator: z
    .strictObject({
      /** @default 1 (leader election makes more only standbys) */
      controllerReplicas: z.number().int().min(1).default(1),
      /** Concurrent reconciles. @default 10 */
      workers: z.number().int().min(1).default(10),
      /** @default 2 (the webhook mutates driver/executor pods; unavailable means no Spark pod starts) */
      webhookReplicas: z.number().int().min(1).default(2),
    })
    .default({ controllerReplicas: 1, workers: 10, webhookReplicas: 2 }),
});

export type PlatformArgsInput = z.input<typeof PlatformArgs>;
export type PlatformArgs = z.output<typeof PlatformArgs>;
