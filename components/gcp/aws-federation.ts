/**
 * Workload Identity Federation from AWS: a workload identity pool with an AWS provider trusting one
 * IAM role of one account, the principal GCP IAM grants that role by, and the external_account
 * credential configuration Google's client libraries read (GOOGLE_APPLICATION_CREDENTIALS) to
 * exchange the role's signed GetCallerIdentity request for a federated token. Direct resource
 * access: no Google service account is impersonated. The documents are pure functions.
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';

/** Google's mapping for AWS: the assumed role's ARN without its session name. */
export const AWS_ROLE_ATTRIBUTE =
  "assertion.arn.contains('assumed-role') ? assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/') : assertion.arn";

/** What `attribute.aws_role` is for a session of the role. */
export function assumedRoleArn(roleArn: string): string {
  // a role's path (role/path/name) is not part of its sessions' ARN
  const match = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!match)
    throw new Error(`roleArn: "${roleArn}" is not an IAM role ARN such as "arn:aws:iam::123456789012:role/name"`);
  const [, partition, account, role] = match;
  return `arn:${partition}:sts::${account}:assumed-role/${role}`;
}

/** The IAM principal of every session of the role, given a pool's resource name ("projects/<number>/locations/global/workloadIdentityPools/<id>"). */
export function awsRolePrincipalSet(poolName: string, roleArn: string): string {
  return `principalSet://iam.googleapis.com/${poolName}/attribute.aws_role/${assumedRoleArn(roleArn)}`;
}

/** The external_account configuration for an AWS workload, given the pool provider's resource name. */
export function awsExternalAccountCredentials(providerName: string) {
  return {
    type: 'external_account',
    audience: `//iam.googleapis.com/${providerName}`,
    subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
    token_url: 'https://sts.googleapis.com/v1/token',
    credential_source: {
      environment_id: 'aws1',
      region_url: 'http://169.254.169.254/latest/meta-data/placement/availability-zone',
      url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials',
      regional_cred_verification_url: 'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
      imdsv2_session_token_url: 'http://169.254.169.254/latest/api/token',
    },
  };
}

export interface AwsFederationArgs {
  provider: gcp.Provider;
  project: string;
  /** The IAM role trusted, e.g. the control plane runtime's Pod Identity role. */
  roleArn: pulumi.Input<string>;
  /** 4 to 32 lowercase letters, digits or hyphens. @default "sparkplane-aws" */
  poolId?: string;
  /** 4 to 32 lowercase letters, digits or hyphens. @default "control-plane" */
  providerId?: string;
}

const FEDERATION_ID = /^(?!gcp-)[a-z0-9-]{4,32}$/;

export function createAwsFederation(parent: pulumi.Resource, name: string, args: AwsFederationArgs) {
  const poolId = args.poolId ?? 'sparkplane-aws';
  const providerId = args.providerId ?? 'control-plane';
  for (const [field, value] of [
    ['poolId', poolId],
    ['providerId', providerId],
  ] as const)
    if (!FEDERATION_ID.test(value))
      throw new Error(
        `gcpFederation.${field}: "${value}" is not a workload identity id; expected 4 to 32 lowercase letters, digits or hyphens, not starting with "gcp-"`,
      );
  const opts = { parent, provider: args.provider };
  const roleArn = pulumi.output(args.roleArn);
  const pool = new gcp.iam.WorkloadIdentityPool(
    `${name}-aws-pool`,
    {
      project: args.project,
      workloadIdentityPoolId: poolId,
      displayName: 'sparkplane on AWS',
      description: 'The sparkplane control plane running on AWS',
    },
    opts,
  );
  const provider = new gcp.iam.WorkloadIdentityPoolProvider(
    `${name}-aws-provider`,
    {
      project: args.project,
      workloadIdentityPoolId: pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: providerId,
      aws: { accountId: roleArn.apply((arn) => arn.split(':')[4]!) },
      attributeMapping: { 'google.subject': 'assertion.arn', 'attribute.aws_role': AWS_ROLE_ATTRIBUTE },
      // sessions of the one role only, not of every role of the account
      attributeCondition: roleArn.apply((arn) => `attribute.aws_role == "${assumedRoleArn(arn)}"`),
    },
    opts,
  );
  return {
    principal: pulumi.all([pool.name, roleArn]).apply(([poolName, arn]) => awsRolePrincipalSet(poolName, arn)),
    credentials: provider.name.apply((providerName) =>
      JSON.stringify(awsExternalAccountCredentials(providerName), null, 2),
    ),
  };
}
