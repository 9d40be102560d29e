/**
 * The runtime's Ingress, with what its controller needs: for an ALB (AWS Load Balancer Controller)
 * pod targets (the Service is ClusterIP), the ACM certificate, HTTPS only and the readiness path as
 * health check; for other classes an optional TLS secret.
 */
import { DomainError, type FieldIssue } from '../../runtime/domain/errors';
import type { PlatformArgs } from './args';
import type { Manifest } from './labels';

type Ingress = NonNullable<PlatformArgs['ingress']>;

export const ALB_CLASS = 'alb';
/** Path the load balancer's health check asks (the runtime's readiness). */
export const HEALTH_CHECK_PATH = '/readyz';

/** Rules across the ingress fields and the cluster's controllers, each naming the field, the value and the expectation. */
export function ingressIssues(ingress: Ingress, installedClasses: string[] | undefined): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message: `${path}: ${message}` });
  if (installedClasses && !installedClasses.includes(ingress.className)) {
    issue(
      'ingress.className',
      `${JSON.stringify(ingress.className)} has no controller on the cluster; expected one of ${JSON.stringify(installedClasses)}` +
        (ingress.className === ALB_CLASS ? ' (set aws.loadBalancerController: true to install it)' : ''),
    );
  }
  if (ingress.className === ALB_CLASS) {
    if (ingress.tlsSecretName !== undefined)
      issue(
        'ingress.tlsSecretName',
        `${JSON.stringify(ingress.tlsSecretName)} is ignored by an ALB; expected certificateArn`,
      );
    if (ingress.certificateArn === undefined)
      issue(
        'ingress.certificateArn',
        'is required with className "alb": expected the ARN of an ACM certificate for the host',
      );
  } else if (ingress.certificateArn !== undefined) {
    issue(
      'ingress.certificateArn',
      `is only read by an ALB; className ${JSON.stringify(ingress.className)} takes tlsSecretName`,
    );
  }
  return issues;
}

export function checkIngress(ingress: Ingress, installedClasses: string[] | undefined): void {
  const issues = ingressIssues(ingress, installedClasses);
  if (issues.length > 0) throw new DomainError('VALIDATION_FAILED', issues.map((i) => i.message).join('; '), issues);
}

export function ingressManifest(
  ingress: Ingress,
  meta: Manifest['metadata'],
  service: { name: string; portName: string },
): Manifest {
  const alb = ingress.className === ALB_CLASS;
  const annotations: Record<string, string> = alb
    ? {
        'alb.ingress.kubernetes.io/scheme': ingress.scheme,
        'alb.ingress.kubernetes.io/target-type': 'ip',
        'alb.ingress.kubernetes.io/certificate-arn': ingress.certificateArn!,
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
        'alb.ingress.kubernetes.io/healthcheck-path': HEALTH_CHECK_PATH,
        // the runtime streams server-sent events: the default 60 s idle timeout would cut them
        'alb.ingress.kubernetes.io/load-balancer-attributes': 'idle_timeout.timeout_seconds=3600',
      }
    : {};
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { ...meta, ...(alb ? { annotations } : {}) },
    spec: {
      ingressClassName: ingress.className,
      rules: [
        {
          host: ingress.host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: service.name, port: { name: service.portName } } },
              },
            ],
          },
        },
      ],
      ...(!alb && ingress.tlsSecretName ? { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] } : {}),
    },
  };
}
