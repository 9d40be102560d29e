/** Who calls, and what a token may do: its scopes, then its limits to clusters, jobs and templates. */
import { DomainError } from '../domain/errors';
import type { Scope, TokenView } from '../domain/tokens';

export type Principal = Pick<TokenView, 'id' | 'name' | 'scopes' | 'clusterIds' | 'jobIds' | 'templateIds'>;

/** What an action touches; a key present with `undefined` means "none", which a limited token may not use. */
export interface Target {
  clusterId?: string;
  jobId?: string;
  templateId?: string | undefined;
}

function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

export function requireScope(principal: Principal, scope: Scope): void {
  if (!hasScope(principal, scope)) {
    throw new DomainError('FORBIDDEN', `token "${principal.name}" lacks the scope ${scope}`);
  }
}

/** Why the token's cluster/job/template limits exclude the target; undefined when they allow it. */
function limitViolation(principal: Principal, target: Target): string | undefined {
  if (principal.scopes.includes('admin')) return undefined;
  const limits: [string, string[] | undefined, keyof Target][] = [
    ['cluster', principal.clusterIds, 'clusterId'],
    ['job', principal.jobIds, 'jobId'],
    ['config template', principal.templateIds, 'templateId'],
  ];
  for (const [kind, allowed, key] of limits) {
    if (!allowed || !(key in target)) continue;
    const value = target[key];
    if (value === undefined || !allowed.includes(value)) {
      const asked = value === undefined ? `no ${kind}` : `${kind} ${value}`;
      return `token "${principal.name}" may act only on ${kind}s ${allowed.join(', ')}, not on ${asked}`;
    }
  }
  return undefined;
}

/** Checks the scope, then the token's cluster/job/template limits. No principal: an internal call. */
export function authorize(principal: Principal | undefined, scope: Scope, target: Target = {}): void {
  if (!principal) return;
  requireScope(principal, scope);
  const violation = limitViolation(principal, target);
  if (violation) throw new DomainError('FORBIDDEN', violation);
}

/**
 * For a resource found by its id: a caller whose limits exclude it gets the same answer as for an
 * id that does not exist, so that nobody learns what exists outside their limits.
 */
export function authorizeFound(
  principal: Principal | undefined,
  scope: Scope,
  target: Target,
  notFoundError: DomainError,
): void {
  if (!principal) return;
  requireScope(principal, scope);
  if (limitViolation(principal, target)) throw notFoundError;
}

/** Whether the principal's limits let it see the target (scopes aside). */
export function maySee(principal: Principal | undefined, target: Target): boolean {
  return !principal || limitViolation(principal, target) === undefined;
}
