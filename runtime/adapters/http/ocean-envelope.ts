/** The Ocean Spark API's response envelope: {request: {...}, response: {status, kind, items, count, errors}}. */
import type { FastifyRequest } from 'fastify';
import type { DomainError } from '../../domain/errors';

export const OCEAN_KINDS = {
  application: 'spotinst:ocean:spark:application',
  cluster: 'spotinst:ocean:spark:cluster',
  configTemplate: 'spotinst:ocean:spark:configTemplate',
} as const;

export interface OceanEnvelope {
  request: { id: string; url: string; method: string; timestamp: string };
  response: {
    status: { code: number; message: string };
    kind?: string;
    items?: unknown[];
    count?: number;
    errors?: { code: string; message: string; field?: string }[];
  };
}

function requestPart(request: FastifyRequest, now: Date): OceanEnvelope['request'] {
  return { id: String(request.id), url: request.url, method: request.method, timestamp: now.toISOString() };
}

export function oceanOk(request: FastifyRequest, now: Date, kind: string, items: unknown[], code = 200): OceanEnvelope {
  return {
    request: requestPart(request, now),
    response: { status: { code, message: code === 201 ? 'Created' : 'OK' }, kind, items, count: items.length },
  };
}

export function oceanError(request: FastifyRequest, now: Date, error: DomainError): OceanEnvelope {
  const errors =
    error.issues.length > 0
      ? error.issues.map((i) => ({ code: error.code, message: i.message, field: i.path }))
      : [{ code: error.code, message: error.message }];
  return {
    request: requestPart(request, now),
    response: { status: { code: error.status, message: error.code }, errors },
  };
}
