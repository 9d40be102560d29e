/** Who the control plane is in each cloud: its host's runtime identity at home, a given one elsewhere. */
import * as pulumi from '@pulumi/pulumi';
import { describe, expect, it } from 'vitest';
import type { ClusterHandle } from '../cluster/handle';
import { controlPlaneIdentities, type ControlPlaneMember } from './control-plane';

const runtimeRoleArn = pulumi.output('arn:aws:iam::210987654321:role/runtime');
const onEks = {
  id: 'aws-prod-euw1',
  handle: {
    runtimeIdentity: {
      cloud: 'aws',
      roleArn: runtimeRoleArn,
      roleName: pulumi.output('runtime'),
    },
  } as unknown as ClusterHandle,
};
const onGke = {
  id: 'gcp-prod-euw1',
  handle: {
    runtimeIdentity: { cloud: 'gcp', principal: pulumi.output('principal://iam.googleapis.com/x') },
  } as unknown as ClusterHandle,
};
const federated = (roleArn: pulumi.Output<string>) => roleArn.apply((arn) => `principalSet://pool/${arn}`);
const member = (id: string, cloud: 'aws' | 'gcp') =>
  ({ id, access: { cloud } }) as Pick<ControlPlaneMember, 'id' | 'access'>;

describe('controlPlaneIdentities', () => {
  it("is the host's runtime role on EKS, and the principal given for GKE", () => {
    const identities = controlPlaneIdentities(
      onEks,
      [onEks as never, member('gcp-dev', 'gcp')],
      {
        gcpPrincipal: 'principalSet://iam.googleapis.com/aws-pool',
      },
      federated,
    );
    expect(identities.aws!.roleArn).toBe(runtimeRoleArn);
    expect(identities.gcp).toBe('principalSet://iam.googleapis.com/aws-pool');
  });

  it('refuses a role or principal other than the one the host gives its runtime', () => {
    expect(() => controlPlaneIdentities(onEks, [], { awsRoleArn: 'arn:aws:iam::1:role/other' }, federated)).toThrow(
      'identity.awsRoleArn: "arn:aws:iam::1:role/other" is not the role the runtime holds on aws-prod-euw1 (its Pod Identity role is granted); expected none',
    );
    expect(() => controlPlaneIdentities(onGke, [], { gcpPrincipal: 'principal://other' }, federated)).toThrow(
      /identity\.gcpPrincipal: "principal:\/\/other" is not the principal the runtime holds on gcp-prod-euw1/,
    );
  });

  it("requires the other cloud's identity when that cloud has members, naming them", () => {
    expect(() =>
      controlPlaneIdentities(onEks, [member('gcp-dev', 'gcp'), member('gcp-prod', 'gcp')], {}, federated),
    ).toThrow(
      'identity.gcpPrincipal: is required: the control plane runs on aws-prod-euw1, outside GKE, and gcp-dev, gcp-prod are GKE clusters',
    );
    expect(() => controlPlaneIdentities(onGke, [member('aws-dev', 'aws')], {}, federated)).toThrow(
      'identity.awsRoleArn: is required: the control plane runs on gcp-prod-euw1, outside EKS, and aws-dev are EKS clusters',
    );
    // one cloud only: nothing more to give
    expect(controlPlaneIdentities(onEks, [member('aws-dev', 'aws')], {}, federated).gcp).toBeUndefined();
  });

  it('federates the EKS runtime role into GCP when asked, and refuses it elsewhere or twice', async () => {
    const federation = { provider: undefined as never, project: 'acme' };
    const identities = controlPlaneIdentities(
      onEks,
      [member('gcp-dev', 'gcp')],
      { gcpFederation: federation },
      federated,
    );
    const principal = await new Promise((resolve) => pulumi.output(identities.gcp!).apply(resolve));
    expect(principal).toBe('principalSet://pool/arn:aws:iam::210987654321:role/runtime');
    expect(() => controlPlaneIdentities(onGke, [], { gcpFederation: federation }, federated)).toThrow(
      "identity.gcpFederation: is for a runtime on EKS, and gcp-prod-euw1's runtime is on GKE",
    );
    expect(() =>
      controlPlaneIdentities(onEks, [], { gcpFederation: federation, gcpPrincipal: 'principal://x' }, federated),
    ).toThrow('identity.gcpPrincipal: "principal://x" and gcpFederation are both given');
  });
});
