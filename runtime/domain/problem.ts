/** RFC 9457 problem documents: how the native API answers every error. */
import { z } from 'zod';
import { ERROR_CODES } from './errors';

export const Problem = z
  .strictObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    /** The error code from the catalogue (runtime/domain/errors.ts). */
    code: z.enum(ERROR_CODES),
    /** One entry per invalid field. */
    errors: z.array(z.strictObject({ path: z.string(), message: z.string() })),
  })
  .meta({
    id: 'Problem',
    examples: [
      {
        type: 'https://sparkplane.dev/problems/validation-failed',
        title: 'The request is invalid',
        status: 400,
        detail: 'configOverrides.executor.memory: "8gigs" is not a Kubernetes quantity such as "8g" or "8192m"',
        instance: '/api/v1/applications',
        code: 'VALIDATION_FAILED',
        errors: [
          {
            path: 'configOverrides.executor.memory',
            message: 'configOverrides.executor.memory: "8gigs" is not a Kubernetes quantity such as "8g" or "8192m"',
          },
        ],
      },
    ],
  });
export type Problem = z.infer<typeof Problem>;
