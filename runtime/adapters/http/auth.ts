/**
 * Authentication and the route-level scope check. Every route declares `config.scope`
 * ('public' for health and docs); a route that declares nothing needs `admin`.
 * Limits to clusters/jobs/templates are checked by the use cases, which see the resources.
 * The Jupyter gateway routes (`config.jupyterToken`) also take `Authorization: token <t>`, the
 * scheme jupyter-server's GatewayClient sends by default.
 *
 * A bearer token is the one credential, but for the routes that declare `config.sessionCookie`
 * (the Spark UI proxy, which a browser reaches by following a link): there a GET or HEAD without
 * a token may present the Spark UI session cookie instead. Everywhere else a cookie is ignored.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors';
import type { Scope } from '../../domain/tokens';
import { type Principal, requireScope } from '../../apps/principal';
import type { TokenService } from '../../apps/token-service';

/** 'public': no token; 'authenticated': any valid token, whatever its scopes. */
export type RouteScope = Scope | 'public' | 'authenticated';

/** The principal of the request's session cookie, or undefined when it has none that is valid. */
export type SessionAuthenticator = (request: FastifyRequest) => Promise<Principal | undefined>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a token needs for this route; 'public' needs no token, 'authenticated' any valid one. @default "admin" */
    scope?: RouteScope;
    /** GET and HEAD of this route also accept the Spark UI session cookie. @default bearer tokens only */
    sessionCookie?: SessionAuthenticator;
    /** Also accept `Authorization: token <secret>` (Jupyter's scheme). @default bearer tokens only */
    jupyterToken?: boolean;
  }
  interface FastifyRequest {
    /** The authenticated caller (absent on public routes). */
    principal?: Principal;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const JUPYTER_TOKEN = /^token\s+(\S+)\s*$/i;

/** The secret of the request's `Authorization: Bearer` header, if it has one. */
export function bearerSecret(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization ?? '';
  const bearer = BEARER.exec(header)?.[1];
  if (bearer !== undefined || !request.routeOptions.config.jupyterToken) return bearer;
  return JUPYTER_TOKEN.exec(header)?.[1];
}

const READS = new Set(['GET', 'HEAD']);

export function registerAuth(app: FastifyInstance, tokens: TokenService): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    if (request.is404) return;
    const config = request.routeOptions.config;
    const scope = config.scope ?? 'admin';
    if (scope === 'public') return;
    const secret = bearerSecret(request);
    let principal: Principal | undefined;
    if (secret) {
      principal = await tokens.authenticate(secret);
      if (!principal) throw new DomainError('UNAUTHENTICATED', 'the bearer token is unknown or revoked');
    } else if (config.sessionCookie && READS.has(request.method)) {
      principal = await config.sessionCookie(request);
    } else {
      const cookies = request.headers.cookie
        ? ' (a session cookie is accepted only by GET and HEAD of the Spark UI proxy)'
        : '';
      throw new DomainError(
        'UNAUTHENTICATED',
        `no bearer token: send the header "Authorization: Bearer <token>"${cookies}`,
      );
    }
    if (!principal) {
      throw new DomainError(
        'UNAUTHENTICATED',
        'no bearer token and no valid Spark UI session: send "Authorization: Bearer <token>", or sign in again with POST /api/v1/session',
      );
    }
    request.principal = principal;
    if (scope !== 'authenticated') requireScope(principal, scope);
  });
}
