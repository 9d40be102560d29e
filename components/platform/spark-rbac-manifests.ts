/** Service accounts of Spark drivers and executors, and what a driver may do: manage its executors. */
import type * as pulumi from '@pulumi/pulumi';
import type { SparkIdentity } from '../cluster/handle';
import { appLabels, type Manifest } from './labels';

export function sparkRbacManifests(
  spark: SparkIdentity,
  annotations: pulumi.Input<Record<string, pulumi.Input<string>>>,
): Manifest[] {
  const labels = appLabels('spark', 'spark-application');
  const namespace = spark.namespace;
  const account = (name: string): Manifest => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace, labels, annotations: annotations as Record<string, string> },
  });
  const accounts = [...new Set([spark.driverServiceAccount, spark.executorServiceAccount])].map(account);
  return [
    ...accounts,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: spark.driverServiceAccount, namespace, labels },
      rules: [
        {
          apiGroups: [''],
          resources: ['pods'],
          verbs: ['create', 'get', 'list', 'watch', 'delete', 'deletecollection', 'patch'],
        },
        {
          apiGroups: [''],
          resources: ['services', 'configmaps', 'persistentvolumeclaims'],
          verbs: ['create', 'get', 'list', 'watch', 'delete', 'deletecollection'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: spark.driverServiceAccount, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: spark.driverServiceAccount },
      subjects: [{ kind: 'ServiceAccount', name: spark.driverServiceAccount, namespace }],
    },
  ];
}
