/** GET /api/v1/whoami: the calling token's own name, scopes and limits, for clients that adapt to them. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { DomainError } from '../../domain/errors';
import { PrincipalView } from '../../domain/tokens';
import { PROBLEM_RESPONSES } from './native-schemas';

export async function whoamiRoute(instance: FastifyInstance): Promise<void> {
  instance.withTypeProvider<ZodTypeProvider>().get(
    '/whoami',
    {
      // any valid token may learn its own scopes: requiring one would hide them from the tokens that lack it
      config: { scope: 'authenticated' },
      schema: {
        tags: ['tokens'],
        summary: 'Who am I',
        description:
          "The calling token's name, scopes and cluster/job/template limits (never its secret). Any valid token may call it.",
        response: { 200: PrincipalView, ...PROBLEM_RESPONSES },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (!principal)
        throw new DomainError('UNAUTHENTICATED', 'no bearer token: send the header "Authorization: Bearer <token>"');
      // the principal is the whole token view: answer only what the schema names
      const { id, name, scopes, clusterIds, jobIds, templateIds } = principal;
      return {
        id,
        name,
        scopes,
        ...(clusterIds ? { clusterIds } : {}),
        ...(jobIds ? { jobIds } : {}),
        ...(templateIds ? { templateIds } : {}),
      };
    },
  );
}
