/**
 * Authentication and the route-level scope check. Every route declares `config.scope`
 * ('public' for health and docs); a route that declares nothing needs `admin`.
 * Limits to clusters/jobs/templates are checked by the use cases, which see the resources.
 */
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/errors';
import type { Scope } from '../../domain/tokens';
import { type Principal, requireScope } from '../../apps/principal';
import type { TokenService } from '../../apps/token-service';

/** 'public': no token; 'authenticated': any valid token, whatever its scopes. */
export type RouteScope = Scope | 'public' | 'authenticated';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a token needs for this route; 'public' needs no token, 'authenticated' any valid one. @default "admin" */
    scope?: RouteScope;
  }
  interface FastifyRequest {
    /** The authenticated caller (absent on public routes). */
    principal?: Principal;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function registerAuth(app: FastifyInstance, tokens: TokenService): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    if (request.is404) return;
    const scope = request.routeOptions.config.scope ?? 'admin';
    if (scope === 'public') return;
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match?.[1]) {
      throw new DomainError('UNAUTHENTICATED', 'no bearer token: send the header "Authorization: Bearer <token>"');
    }
    const principal = await tokens.authenticate(match[1]);
    if (!principal) throw new DomainError('UNAUTHENTICATED', 'the bearer token is unknown or revoked');
    request.principal = principal;
    if (scope !== 'authenticated') requireScope(principal, scope);
  });
}
