/** The GCS client is built with the configured credential file; an AWS external_account signs with the AWS SDK's chain. No request leaves the process. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsClient, IdentityPoolClient } from 'google-auth-library';
import { awsSdkCredentials } from './gcs-credentials';
import { GcsObjectStore, gcsOptionsFromEnv } from './gcs-object-store';

const PROVIDER = 'projects/123/locations/global/workloadIdentityPools/sparkplane-aws/providers/control-plane';
/** As the platform renders it for a runtime on EKS (components/gcp/aws-federation.ts), metadata URLs left out. */
const AWS_EXTERNAL_ACCOUNT = {
  type: 'external_account',
  audience: `//iam.googleapis.com/${PROVIDER}`,
  subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
  token_url: 'https://sts.googleapis.com/v1/token',
  credential_source: { environment_id: 'aws1', regional_cred_verification_url: 'https://sts.{region}.amazonaws.com' },
};

function credentialFile(content: object): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gcs-credentials-')), 'credentials.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/** The signed GetCallerIdentity request an AwsClient exchanges at Google's STS (built locally). */
async function subjectToken(client: AwsClient) {
  const token = JSON.parse(decodeURIComponent(await client.retrieveSubjectToken())) as {
    url: string;
    headers: { key: string; value: string }[];
  };
  const header = (key: string) => token.headers.find((h) => h.key.toLowerCase() === key.toLowerCase())?.value;
  return { url: token.url, authorization: header('Authorization'), target: header('x-goog-cloud-target-resource') };
}

describe('the GCS client credentials', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('come from GOOGLE_APPLICATION_CREDENTIALS, the AWS STS region from AWS_REGION', () => {
    expect(
      gcsOptionsFromEnv({ GOOGLE_APPLICATION_CREDENTIALS: '/etc/sparkplane/x.json', AWS_REGION: 'eu-west-1' }),
    ).toEqual({ credentialsFile: '/etc/sparkplane/x.json', awsRegion: 'eu-west-1' });
    expect(gcsOptionsFromEnv({})).toEqual({});
  });

  it("an AWS external_account file: its pool provider, signed with the runtime's AWS credentials", async () => {
    const supplier = {
      getAwsRegion: async () => 'eu-west-1',
      getAwsSecurityCredentials: async () => ({ accessKeyId: 'ASIARUNTIMEROLE', secretAccessKey: 's', token: 't' }),
    };
    const store = new GcsObjectStore({
      credentialsFile: credentialFile(AWS_EXTERNAL_ACCOUNT),
      awsCredentials: supplier,
    });
    const client = await store.authClient();
    expect(client).toBeInstanceOf(AwsClient);
    const token = await subjectToken(client as AwsClient);
    expect(token.target).toBe(AWS_EXTERNAL_ACCOUNT.audience);
    expect(token.url).toBe('https://sts.eu-west-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15');
    expect(token.authorization).toMatch(/Credential=ASIARUNTIMEROLE\/\d{8}\/eu-west-1\/sts\/aws4_request/);
  });

  it("by default signs with the AWS SDK's chain (here its environment keys), not the file's instance metadata", async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMTHECHAIN';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    const store = new GcsObjectStore({ credentialsFile: credentialFile(AWS_EXTERNAL_ACCOUNT), awsRegion: 'us-west-2' });
    const token = await subjectToken((await store.authClient()) as AwsClient);
    expect(token.authorization).toMatch(/Credential=AKIAFROMTHECHAIN\/\d{8}\/us-west-2\/sts\/aws4_request/);
    expect(await awsSdkCredentials('us-west-2').getAwsRegion({} as never)).toBe('us-west-2');
  });

  it('any other credential file is read as Google reads it: the client is the one it describes', async () => {
    const other = {
      type: 'external_account',
      audience: '//iam.googleapis.com/projects/9/locations/global/workloadIdentityPools/p/providers/oidc',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: 'https://sts.googleapis.com/v1/token',
      credential_source: { file: '/var/run/token' },
    };
    const client = await new GcsObjectStore({ credentialsFile: credentialFile(other) }).authClient();
    expect(client).toBeInstanceOf(IdentityPoolClient);
    expect(() => new GcsObjectStore({ credentialsFile: '/nonexistent/credentials.json' })).toThrow(
      /GCS credentials file \/nonexistent\/credentials\.json: ENOENT.*expected a Google credential configuration/,
    );
  });
});
