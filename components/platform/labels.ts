/** Recommended Kubernetes labels of everything the platform creates. */
export function appLabels(name: string, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'sparkplane',
    'app.kubernetes.io/managed-by': 'pulumi',
  };
}

/** The subset that selects pods (stable: a Deployment's selector is immutable). */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'sparkplane' };
}

/** A Kubernetes object as plain data: the rendered manifest. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}
