/** JSON Schema documents generated from the domain's zod schemas (never written by hand). */
import { z } from 'zod';
import { ApplicationConfig } from './config';
import { ConfigTemplate, JobSpec, SubmitRequest } from './resources';

export const PUBLISHED_SCHEMAS = { ApplicationConfig, JobSpec, ConfigTemplate, SubmitRequest } as const;
export type PublishedSchemaName = keyof typeof PUBLISHED_SCHEMAS;

/** The JSON Schema (draft 2020-12) of what a client may send for the named schema. */
export function jsonSchemaOf(name: PublishedSchemaName): Record<string, unknown> {
  return z.toJSONSchema(PUBLISHED_SCHEMAS[name], { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
