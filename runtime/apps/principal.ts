/**
 * Who calls, and what a token may do. Scopes follow the hosted product's permissions:
 * spark:createApplication -> applications:create, spark:deleteApplication -> applications:kill,
 * spark:create|update|deleteConfigTemplate -> templates:manage, spark:updateJob -> jobs:update,
 * spark:create|update|deleteCluster -> clusters:manage. Reads need applications:read; admin is all.
 */
import { DomainError } from '../domain/errors';
import type { ApiToken, Scope } from '../domain/ports';

export const SCOPES: readonly Scope[] = [
  'admin',
  'applications:create',
  'applications:kill',
  'applications:read',
  'templates:manage',
  'jobs:update',
  'clusters:manage',
  'tokens:manage',
];

/** The hosted product's permission names, accepted as aliases when a token is created. */
export const OCEAN_PERMISSION_SCOPES: Readonly<Record<string, Scope>> = {
  'spark:createApplication': 'applications:create',
  'spark:deleteApplication': 'applications:kill',
  'spark:createConfigTemplate': 'templates:manage',
  'spark:updateConfigTemplate': 'templates:manage',
  'spark:deleteConfigTemplate': 'templates:manage',
  'spark:updateJob': 'jobs:update',
  'spark:updateConfig': 'jobs:update',
  'spark:createCluster': 'clusters:manage',
  'spark:updateCluster': 'clusters:manage',
  'spark:deleteCluster': 'clusters:manage',
};

export type Principal = Pick<ApiToken, 'id' | 'name' | 'scopes' | 'clusterIds' | 'jobIds' | 'templateIds'>;

/** What an action touches; a key present with `undefined` means "none", which a limited token may not use. */
export interface Target {
  clusterId?: string;
  jobId?: string;
  templateId?: string | undefined;
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

export function requireScope(principal: Principal, scope: Scope): void {
  if (!hasScope(principal, scope)) {
    throw new DomainError('FORBIDDEN', `token "${principal.name}" lacks the scope ${scope}`);
  }
}

/** Checks the scope, then the token's cluster/job/template limits. No principal: an internal call. */
export function authorize(principal: Principal | undefined, scope: Scope, target: Target = {}): void {
  if (!principal) return;
  requireScope(principal, scope);
  if (principal.scopes.includes('admin')) return;
  const limit = (kind: string, allowed: string[] | undefined, value: string | undefined, present: boolean) => {
    if (!allowed || !present) return;
    if (value === undefined || !allowed.includes(value)) {
      const asked = value === undefined ? `no ${kind}` : `${kind} ${value}`;
      throw new DomainError(
        'FORBIDDEN',
        `token "${principal.name}" may act only on ${kind}s ${allowed.join(', ')}, not on ${asked}`,
      );
    }
  };
  limit('cluster', principal.clusterIds, target.clusterId, 'clusterId' in target);
  limit('job', principal.jobIds, target.jobId, 'jobId' in target);
  limit('config template', principal.templateIds, target.templateId, 'templateId' in target);
}
