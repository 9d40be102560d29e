/** The principal an AWS role is granted by in GCP, and the credential configuration it signs in with. */
import { describe, expect, it } from 'vitest';
import { assumedRoleArn, awsExternalAccountCredentials, awsRolePrincipalSet } from './aws-federation';

const POOL = 'projects/123/locations/global/workloadIdentityPools/sparkplane-aws';

describe('federation from AWS', () => {
  it("names the role's sessions as Google's AWS mapping does: its path and session name dropped", () => {
    expect(assumedRoleArn('arn:aws:iam::210987654321:role/runtime-1a2b')).toBe(
      'arn:aws:sts::210987654321:assumed-role/runtime-1a2b',
    );
    expect(assumedRoleArn('arn:aws-cn:iam::210987654321:role/team/runtime')).toBe(
      'arn:aws-cn:sts::210987654321:assumed-role/runtime',
    );
    expect(() => assumedRoleArn('arn:aws:iam::210987654321:user/me')).toThrow(
      'roleArn: "arn:aws:iam::210987654321:user/me" is not an IAM role ARN',
    );
    expect(awsRolePrincipalSet(POOL, 'arn:aws:iam::210987654321:role/runtime')).toBe(
      `principalSet://iam.googleapis.com/${POOL}/attribute.aws_role/arn:aws:sts::210987654321:assumed-role/runtime`,
    );
  });

  it("points the credential configuration at the pool's provider with an AWS-signed subject token", () => {
    const credentials = awsExternalAccountCredentials(`${POOL}/providers/control-plane`);
    expect(credentials.audience).toBe(`//iam.googleapis.com/${POOL}/providers/control-plane`);
    expect(credentials.subject_token_type).toBe('urn:ietf:params:aws:token-type:aws4_request');
    expect(credentials.credential_source.regional_cred_verification_url).toContain('sts.{region}.amazonaws.com');
  });
});
