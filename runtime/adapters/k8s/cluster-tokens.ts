/**
 * Bearer tokens for the API servers of EKS and GKE clusters, made in-process, so that a control
 * plane's runtime reaches its fleet's clusters with its own cloud identity and needs neither the
 * `aws` CLI nor `gke-gcloud-auth-plugin` in its image. The CLI prints them as the ExecCredential of
 * a kubeconfig's exec plugin (`sparkplane cluster-token`).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { GoogleAuth } from 'google-auth-library';
import { awsSdkCredentials, gcsAuthOptions } from '../objectstore/gcs-credentials';
import { gcsOptionsFromEnv } from '../objectstore/gcs-object-store';

export interface ClusterToken {
  token: string;
  expiresAt: Date;
}

/** EKS accepts a presigned STS URL for 15 minutes; kubectl's client renews a minute before. */
const EKS_TOKEN_SECONDS = 14 * 60;
const EKS_PRESIGN_SECONDS = 60;
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * The token `aws eks get-token` makes: STS GetCallerIdentity presigned with the cluster's name in
 * the signed `x-k8s-aws-id` header, as `k8s-aws-v1.` + base64url of the URL.
 */
export async function eksToken(clusterName: string, region: string, now = new Date()): Promise<ClusterToken> {
  // the client is only the SDK's resolver of credentials: it sends nothing
  const config = new S3Client({ region }).config;
  const signer = new SignatureV4({ credentials: config.credentials, region, service: 'sts', sha256: config.sha256 });
  const hostname = `sts.${region}.amazonaws.com`;
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, 'x-k8s-aws-id': clusterName },
    },
    { expiresIn: EKS_PRESIGN_SECONDS, signingDate: now },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return {
    token: `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`,
    expiresAt: new Date(now.getTime() + EKS_TOKEN_SECONDS * 1000),
  };
}

/**
 * An OAuth access token of the runtime's Google identity (what gke-gcloud-auth-plugin gives):
 * Workload Identity on GKE, or the credential file of GOOGLE_APPLICATION_CREDENTIALS, whose
 * federation from AWS signs with the AWS SDK's chain as the event-log reader's does.
 */
export async function gkeToken(env: NodeJS.ProcessEnv = process.env): Promise<ClusterToken> {
  const { credentialsFile, awsRegion } = gcsOptionsFromEnv(env);
  const { keyFilename, authClient } = gcsAuthOptions(credentialsFile, () =>
    awsSdkCredentials(awsRegion ?? 'us-east-1'),
  );
  // an external account's client asks for the cloud-platform scope by default
  const client =
    authClient instanceof GoogleAuth
      ? await authClient.getClient()
      : (authClient ?? (await new GoogleAuth({ scopes: [CLOUD_PLATFORM], keyFilename }).getClient()));
  const { token } = await client.getAccessToken();
  if (!token) throw new Error('Google returned no access token for the runtime identity');
  const expiry = client.credentials.expiry_date;
  return { token, expiresAt: new Date(expiry ?? Date.now() + 5 * 60 * 1000) };
}

/** The ExecCredential a kubeconfig's exec plugin prints (client.authentication.k8s.io/v1beta1). */
export function execCredential({ token, expiresAt }: ClusterToken): string {
  return JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    kind: 'ExecCredential',
    status: { token, expirationTimestamp: expiresAt.toISOString() },
  });
}
