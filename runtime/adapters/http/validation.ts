/**
 * Fastify validator compiler for zod schemas that fails with the domain's VALIDATION_FAILED
 * error: every issue names the field path, the value and what was expected.
 */
import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { describeIssues } from '../../domain/validation';

/** Query and path issues are named as "query.limit" / "path.appId"; body issues by their body path. */
const PREFIX: Record<string, string | undefined> = { querystring: 'query', params: 'path', headers: 'header' };

export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  return (data: unknown) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    const prefix = httpPart ? PREFIX[httpPart] : undefined;
    const issues = describeIssues(result.error, data, prefix ? [prefix] : []);
    return { error: new DomainError('VALIDATION_FAILED', issues.map((i) => i.message).join('; '), issues) };
  };
};
