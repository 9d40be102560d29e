/**
 * The credentials the GCS client is built with. A credential configuration file
 * (GOOGLE_APPLICATION_CREDENTIALS) is read as Google's libraries read it, except that an
 * external_account of Workload Identity Federation from AWS signs with the AWS SDK's credential
 * chain: the file's credential_source reads only AWS_* keys and EC2 instance metadata, which on EKS
 * with Pod Identity is the node's role, not the runtime's.
 */
import { readFileSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { AwsClient, type AwsSecurityCredentialsSupplier } from 'google-auth-library';
import type { StorageOptions } from '@google-cloud/storage';

const AWS_SUBJECT_TOKEN = 'urn:ietf:params:aws:token-type:aws4_request';

/** AWS credentials and region from the SDK's chain (environment, EKS Pod Identity, IRSA, profile, instance metadata). */
export function awsSdkCredentials(region: string): AwsSecurityCredentialsSupplier {
  // the client is only the SDK's resolver of credentials and region: it sends nothing
  const config = new S3Client({ region }).config;
  return {
    getAwsRegion: () => config.region(),
    async getAwsSecurityCredentials() {
      const identity = await config.credentials();
      return {
        accessKeyId: identity.accessKeyId,
        secretAccessKey: identity.secretAccessKey,
        ...(identity.sessionToken ? { token: identity.sessionToken } : {}),
      };
    },
  };
}

/** The Storage client's authentication for a credential file; an AWS external_account signs with `aws`. */
export function gcsAuthOptions(
  credentialsFile: string | undefined,
  aws: () => AwsSecurityCredentialsSupplier,
): Pick<StorageOptions, 'keyFilename' | 'authClient'> {
  if (!credentialsFile) return {};
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(
      `GCS credentials file ${credentialsFile}: ${(error as Error).message}; expected a Google credential configuration (JSON)`,
      { cause: error },
    );
  }
  if (config.type !== 'external_account' || config.subject_token_type !== AWS_SUBJECT_TOKEN)
    return { keyFilename: credentialsFile };
  // a supplier replaces the file's credential_source (the library takes one or the other)
  const { credential_source: _source, ...rest } = config;
  return {
    authClient: new AwsClient({
      ...(rest as { audience: string; subject_token_type: string }),
      aws_security_credentials_supplier: aws(),
    }),
  };
}
