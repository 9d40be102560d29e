/** A kubeconfig for an EKS cluster that authenticates with `aws eks get-token` (no static credentials). */
export function eksKubeconfig(input: {
  clusterName: string;
  endpoint: string;
  certificateAuthority: string;
  region: string;
}): string {
  const name = input.clusterName;
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: input.endpoint, 'certificate-authority-data': input.certificateAuthority } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: 'aws',
            args: ['eks', 'get-token', '--cluster-name', name, '--region', input.region, '--output', 'json'],
          },
        },
      },
    ],
  });
}
