/** Request schemas of the native API that are not domain resources themselves (query strings, paths). */
import { z } from 'zod';
import { ApplicationConfig } from '../../domain/config';
import { ResourceId, SubmitRequest } from '../../domain/resources';
import { AppState } from '../../domain/states';

const LabelSelector = z.string().regex(/^[^:]+:.*$/, { message: 'is not a label selector "key:value"' });
const OneOrMany = <T extends z.ZodType>(schema: T) =>
  z.union([schema, z.array(schema)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[]);

export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(500)
  .default(50)
  .meta({ description: 'Page size. @default 50' });
export const Cursor = z.string().min(1).meta({ description: 'The nextCursor of the previous page.' });

export const PageQuery = z.strictObject({ limit: Limit, cursor: Cursor.optional() });

export const ListApplicationsQuery = z.strictObject({
  clusterId: ResourceId.optional(),
  jobId: ResourceId.optional(),
  state: OneOrMany(AppState).optional().meta({ description: 'Repeatable.' }),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'createdAt >= from (ISO 8601)' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'createdAt < to (ISO 8601)' }),
  label: OneOrMany(LabelSelector).optional().meta({ description: 'key:value, repeatable; all must match.' }),
  limit: Limit,
  cursor: Cursor.optional(),
});

export const ListJobsQuery = PageQuery.extend({ clusterId: ResourceId.optional() });

export const LogQuery = z.strictObject({
  follow: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export const NativeSubmitRequest = SubmitRequest.extend({ clusterId: ResourceId }).meta({ id: 'NativeSubmitRequest' });

export const IdempotencyHeaders = z.looseObject({
  'idempotency-key': z.string().min(1).max(200).optional(),
});

export const TemplateUpdate = z.strictObject({ id: ResourceId.optional(), config: ApplicationConfig });

export const AppParams = z.strictObject({ appId: z.string().min(1) });
export const JobParams = z.strictObject({ jobId: z.string().min(1) });
export const ClusterParams = z.strictObject({ clusterId: z.string().min(1) });
export const TemplateParams = ClusterParams.extend({ templateId: z.string().min(1) });
export const TokenParams = z.strictObject({ tokenId: z.string().min(1) });
