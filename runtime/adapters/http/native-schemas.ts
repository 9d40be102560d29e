/** Request schemas of the native API that are not domain resources themselves (query strings, paths, headers). */
import { z } from 'zod';
import { ApplicationSortKey, ApplicationType } from '../../domain/application';
import { NextCursor, ResourceId } from '../../domain/common';
import { Problem } from '../../domain/problem';
import { SUBMIT_EXAMPLE, SubmitRequest } from '../../domain/resources';
import { AppState } from '../../domain/states';

const LabelSelector = z.string().regex(/^[^:]+:.*$/, { message: 'is not a label selector "key:value"' });
const OneOrMany = <T extends z.ZodType>(schema: T) =>
  z.union([schema, z.array(schema)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[]);

const Limit = z.coerce.number().int().min(1).max(500).default(50).meta({ description: 'Page size. @default 50' });

export const PageQuery = z.strictObject({ limit: Limit, cursor: NextCursor.optional() });

export const ListApplicationsQuery = z
  .strictObject({
    clusterId: ResourceId.optional(),
    jobId: ResourceId.optional(),
    userId: z.string().min(1).max(200).optional().meta({ description: 'The name of the token that submitted it.' }),
    type: OneOrMany(ApplicationType)
      .optional()
      .meta({ description: 'Repeatable: type=session&type=notebook lists the interactive ones.' }),
    retryOf: ResourceId.optional().meta({ description: 'The retries of this first attempt (attempt 2 and later).' }),
    q: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: 'Case-insensitive substring of the application id or the job id.' }),
    sort: ApplicationSortKey.default('createdAt').meta({
      description:
        'Order by creation, start, duration, cost or core-hours; ties by id; applications without the value (not started, not measured) last. @default createdAt',
    }),
    order: z.enum(['asc', 'desc']).default('desc').meta({ description: '@default desc' }),
    state: OneOrMany(AppState).optional().meta({ description: 'Repeatable.' }),
    from: z.iso.datetime({ offset: true }).optional().meta({ description: 'createdAt >= from (ISO 8601)' }),
    to: z.iso.datetime({ offset: true }).optional().meta({ description: 'createdAt < to (ISO 8601)' }),
    label: OneOrMany(LabelSelector).optional().meta({ description: 'key:value, repeatable; all must match.' }),
    limit: Limit,
    cursor: NextCursor.optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), {
    path: ['to'],
    message: 'must be after from',
  });

export const ListJobsQuery = PageQuery.extend({ clusterId: ResourceId.optional() });

export const LogQuery = z.strictObject({
  follow: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .meta({ description: 'Stream new lines until the application ends. @default false' }),
});

export const NativeSubmitRequest = SubmitRequest.extend({ clusterId: ResourceId }).meta({
  id: 'NativeSubmitRequest',
  examples: [{ clusterId: 'local', ...SUBMIT_EXAMPLE }],
});

export const IdempotencyHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'The same key on the same cluster returns the application it made, never a second run.' }),
});

export const AppParams = z.strictObject({ appId: z.string().min(1) });
export const JobParams = z.strictObject({ jobId: z.string().min(1) });
export const ClusterParams = z.strictObject({ clusterId: z.string().min(1) });
export const TemplateParams = ClusterParams.extend({ templateId: z.string().min(1) });
export const TokenParams = z.strictObject({ tokenId: z.string().min(1) });

/** Every native route answers its errors as problem documents. */
export const PROBLEM_RESPONSES = { '4xx': Problem, '5xx': Problem } as const;

/** A driver log: plain text, one line per line. */
export const LogText = z.string().meta({ description: 'The driver log as plain text (streamed with follow=true).' });

/** 204: nothing in the body. */
export const NoContent = z.undefined().meta({ description: 'Done; no body.' });
