/** The Ocean Spark API's response envelope: {request: {...}, response: {status, kind, items, count, errors}}. */
import type { FastifyRequest } from 'fastify';
import type { DomainError } from '../../domain/errors';
import type { OceanErrorEnvelope } from './ocean-schemas';

function requestPart(request: FastifyRequest, now: Date): OceanErrorEnvelope['request'] {
  return { id: String(request.id), url: request.url, method: request.method, timestamp: now.toISOString() };
}

export function oceanOk<K extends string, T>(request: FastifyRequest, now: Date, kind: K, items: T[]) {
  return {
    request: requestPart(request, now),
    response: { status: { code: 200, message: 'OK' }, kind, items, count: items.length },
  };
}

export function oceanError(request: FastifyRequest, now: Date, error: DomainError): OceanErrorEnvelope {
  const errors =
    error.issues.length > 0
      ? error.issues.map((i) => ({ code: error.code, message: i.message, field: i.path }))
      : [{ code: error.code, message: error.message }];
  return {
    request: requestPart(request, now),
    response: { status: { code: error.status, message: error.code }, errors },
  };
}
