import { afterEach, describe, expect, it, vi } from 'vitest';
import { eksToken, execCredential } from './cluster-tokens';

describe('eksToken', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('presigns STS GetCallerIdentity for the cluster as aws eks get-token does', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    const now = new Date('2026-12-04T12:00:00Z');
    const { token, expiresAt } = await eksToken('prod-euw1', 'eu-west-1', now);

    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    const url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString());
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20261204/eu-west-1/sts/aws4_request');
    expect(q.get('X-Amz-Date')).toBe('20261204T120000Z');
    expect(q.get('X-Amz-Expires')).toBe('60');
    // the API server's authenticator refuses a token whose signature does not cover the cluster name
    expect(q.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(token).not.toContain('=');
    expect(expiresAt.toISOString()).toBe('2026-12-04T12:14:00.000Z');

    // the signature is over the cluster name: another cluster gets another one
    const other = await eksToken('dev-euw1', 'eu-west-1', now);
    expect(other.token).not.toBe(token);
  });
});

describe('execCredential', () => {
  it('prints the ExecCredential a kubeconfig exec plugin returns', () => {
    expect(JSON.parse(execCredential({ token: 't', expiresAt: new Date('2026-12-04T12:14:00Z') }))).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      status: { token: 't', expirationTimestamp: '2026-12-04T12:14:00.000Z' },
    });
  });
});
