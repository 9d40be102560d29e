/** A kubeconfig for a GKE cluster that authenticates with gke-gcloud-auth-plugin (no static credentials). */
export function gkeKubeconfig(input: { clusterName: string; endpoint: string; certificateAuthority: string }): string {
  const name = input.clusterName;
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: { server: `https://${input.endpoint}`, 'certificate-authority-data': input.certificateAuthority },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: 'gke-gcloud-auth-plugin',
            installHint: 'gcloud components install gke-gcloud-auth-plugin',
            provideClusterInfo: true,
          },
        },
      },
    ],
  });
}
