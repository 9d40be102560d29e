/**
 * API tokens and their scopes. Scopes follow the hosted product's permissions:
 * spark:createApplication -> applications:create, spark:deleteApplication -> applications:kill,
 * spark:create|update|deleteConfigTemplate -> templates:manage, spark:updateJob -> jobs:update,
 * spark:create|update|deleteCluster -> clusters:manage. Reads need applications:read; admin is all.
 * metrics:read (no Ocean counterpart) lets a Prometheus scrape read /metrics and nothing else.
 */
import { z } from 'zod';
import { ResourceId, Timestamp } from './common';

export const Scope = z.enum([
  'admin',
  'applications:create',
  'applications:kill',
  'applications:read',
  'templates:manage',
  'jobs:update',
  'clusters:manage',
  'tokens:manage',
  // GET /metrics only: what a Prometheus scrape holds
  'metrics:read',
]);
export type Scope = z.infer<typeof Scope>;
export const SCOPES = Scope.options;

/** The hosted product's permission names, accepted as aliases when a token is created. */
const OCEAN_PERMISSION_SCOPES: Readonly<Record<string, Scope>> = {
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

const SCOPE_NAMES = [...SCOPES, ...Object.keys(OCEAN_PERMISSION_SCOPES)] as [string, ...string[]];
const ScopeName = z.enum(SCOPE_NAMES).transform((s) => OCEAN_PERMISSION_SCOPES[s] ?? (s as Scope));

/** When set, the token acts only on these clusters / jobs / templates. */
const limits = {
  clusterIds: z.array(ResourceId).min(1).optional(),
  jobIds: z.array(ResourceId).min(1).optional(),
  templateIds: z.array(ResourceId).min(1).optional(),
};

export const CreateTokenRequest = z
  .strictObject({ name: z.string().min(1).max(100), scopes: z.array(ScopeName).min(1), ...limits })
  .meta({
    id: 'CreateTokenRequest',
    examples: [{ name: 'team-a-airflow', scopes: ['applications:create', 'applications:read'], clusterIds: ['prod'] }],
  });
export type CreateTokenRequest = z.infer<typeof CreateTokenRequest>;

/** A token as listed: never its secret nor its hash. */
export const TokenView = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    scopes: z.array(Scope),
    ...limits,
    createdAt: Timestamp,
    revokedAt: Timestamp.optional(),
  })
  .meta({ id: 'Token' });
export type TokenView = z.infer<typeof TokenView>;

/** A token as stored: its SHA-256 only, the secret itself is never stored. */
export const ApiToken = TokenView.extend({ secretHash: z.string().regex(/^[0-9a-f]{64}$/) });
export type ApiToken = z.infer<typeof ApiToken>;

/** The answer to a creation: the only time the secret is shown. */
export const CreatedToken = TokenView.extend({ secret: z.string() }).meta({ id: 'CreatedToken' });
export type CreatedToken = z.infer<typeof CreatedToken>;

/** Who a token is, as the token itself may learn it (the dashboards decide which actions to offer). */
export const PrincipalView = TokenView.pick({
  id: true,
  name: true,
  scopes: true,
  clusterIds: true,
  jobIds: true,
  templateIds: true,
}).meta({ id: 'Principal' });
export type PrincipalView = z.infer<typeof PrincipalView>;
