/**
 * Browser sign-in for the Spark UI proxy: POST /api/v1/session, with a bearer token, sets an
 * HttpOnly, SameSite=Strict cookie holding an opaque session id (apps/ui-sessions.ts), sent only
 * under the proxies' paths and to /api/v1/session itself, so that DELETE /api/v1/session (sign-out)
 * gets the cookie and ends its session on the server, not only in the browser. The cookie is accepted by nothing but
 * GET and HEAD of the proxy (see auth.ts), which serves no changes: it cannot be used to act.
 */
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { hashSecret, type TokenService } from '../../apps/token-service';
import type { UiSessions } from '../../apps/ui-sessions';
import { DomainError } from '../../domain/errors';
import { UiSession, UiSessionRequest } from '../../domain/spark-ui';
import { bearerSecret, type SessionAuthenticator } from './auth';
import { NoContent, PROBLEM_RESPONSES } from './native-schemas';

export const SESSION_COOKIE = 'sparkplane_ui';

/**
 * Where the cookie is sent: the Spark UI proxies of the native and the Ocean API, and the sign-out
 * (a cookie path matches itself and what is under it: not /api/v1/sessions).
 */
export const SESSION_COOKIE_PATHS = ['/api/v1/applications', '/ocean/spark/cluster', '/api/v1/session'];

function sessionIdOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  return header ? fastifyCookie.parse(header)[SESSION_COOKIE] : undefined;
}

/** The principal of the request's session cookie: its token authenticated again, so a revoked token ends its sessions. */
export function sessionAuthenticator(sessions: UiSessions, tokens: TokenService): SessionAuthenticator {
  return async (request) => {
    const id = sessionIdOf(request);
    const session = id === undefined ? undefined : sessions.find(id);
    if (!session) return undefined;
    const principal = await tokens.authenticateHash(session.tokenHash);
    if (!principal) sessions.close(session.id);
    return principal;
  };
}

function setSessionCookies(request: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  for (const path of SESSION_COOKIE_PATHS) {
    reply.setCookie(SESSION_COOKIE, value, {
      path,
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
      maxAge: maxAgeSeconds,
    });
  }
}

/** Registers the session routes in a context where @fastify/cookie is registered. */
export function uiSessionRoutes(sessions: UiSessions) {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const tags = ['sessions'];
    app.post(
      '/api/v1/session',
      {
        config: { scope: 'applications:read' },
        schema: {
          tags,
          summary: 'Sign a browser in to the Spark UI',
          description:
            'For the bearer token of the request, sets an HttpOnly, SameSite=Strict session cookie sent only to the Spark UI proxies (/api/v1/applications/{appId}/spark-ui/ and /ocean/spark/cluster/{clusterId}/app/{appId}/sparkUI/) and to /api/v1/session (so that DELETE signs it out), so that a browser following a link to the live Spark UI is signed in. The cookie holds an opaque id, never the token; it is accepted by GET and HEAD of those proxies only, and ends at expiresAt, on DELETE, or when the token is revoked.',
          body: UiSessionRequest,
          response: { 201: UiSession, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        const secret = bearerSecret(request);
        // the auth hook let the request in with a bearer token: there is one
        if (!secret) throw new DomainError('UNAUTHENTICATED', 'a session is opened with a bearer token');
        const session = sessions.open(hashSecret(secret));
        setSessionCookies(request, reply, session.id, sessions.ttlSeconds);
        return reply
          .code(201)
          .header('cache-control', 'no-store')
          .send({ expiresAt: session.expiresAt.toISOString(), paths: SESSION_COOKIE_PATHS });
      },
    );
    app.delete(
      '/api/v1/session',
      {
        config: { scope: 'applications:read' },
        schema: {
          tags,
          summary: 'Sign a browser out of the Spark UI',
          description:
            'Ends the session of the request’s Spark UI cookie, if it has one, and clears the cookie. Takes the bearer token, as every change does.',
          response: { 204: NoContent, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        const id = sessionIdOf(request);
        if (id !== undefined) sessions.close(id);
        setSessionCookies(request, reply, '', 0);
        return reply.code(204).send();
      },
    );
  };
}
