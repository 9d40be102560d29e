/**
 * The SparkJob CustomResourceDefinition, generated from the runtime's schemas (the SparkJob's spec
 * is its JobSpec, runtime/domain/spark-job.ts) so the two never drift. zod's JSON Schema is made
 * structural, as the API server requires: every node typed (unions and open values keep their
 * unknown fields instead; the runtime validates them and reports a refusal in the status), no
 * defaults (the runtime applies them, so the stored object stays as written), no
 * `additionalProperties: false` (unknown fields are refused by kubectl's strict field validation).
 * Pure.
 */
import { z } from 'zod';
import {
  SPARK_JOB_GROUP,
  SPARK_JOB_KIND,
  SPARK_JOB_PLURAL,
  SPARK_JOB_VERSION,
  SparkJobSpec,
  SparkJobStatus,
} from '../../runtime/domain/spark-job';
import type { Manifest } from '../platform/labels';

type Schema = Record<string, unknown>;

const PRESERVE = { 'x-kubernetes-preserve-unknown-fields': true } as const;
/** Keywords a structural schema keeps as they are. */
const KEPT = ['type', 'description', 'enum', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'];
const KEPT_COUNTS = ['minLength', 'maxLength', 'minItems', 'maxItems', 'required'];

/** One node of zod's OpenAPI 3.0 schema as a structural schema node. */
export function structural(node: Schema): Schema {
  if (node.anyOf !== undefined || node.oneOf !== undefined || node.type === undefined) {
    return node.description === undefined ? { ...PRESERVE } : { description: node.description, ...PRESERVE };
  }
  const out: Schema = {};
  for (const key of [...KEPT, ...KEPT_COUNTS]) if (node[key] !== undefined) out[key] = node[key];
  if (node.const !== undefined) out.enum = [node.const];
  if (node.properties !== undefined) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties as Record<string, Schema>).map(([name, child]) => [name, structural(child)]),
    );
  } else if (typeof node.additionalProperties === 'object' && node.additionalProperties !== null) {
    // a record: its values' schema
    out.additionalProperties = structural(node.additionalProperties as Schema);
  }
  if (node.items !== undefined) out.items = structural(node.items as Schema);
  return out;
}

function openApiOf(schema: z.ZodType, io: 'input' | 'output'): Schema {
  // a fresh registry: every schema inline (no $ref to the OpenAPI document's components)
  return z.toJSONSchema(schema, {
    io,
    target: 'openapi-3.0',
    unrepresentable: 'any',
    reused: 'inline',
    metadata: z.registry(),
  }) as Schema;
}

export const SPARK_JOB_CRD_NAME = `${SPARK_JOB_PLURAL}.${SPARK_JOB_GROUP}`;

export function sparkJobCrd(): Manifest {
  const spec = structural(openApiOf(SparkJobSpec, 'input'));
  const status = structural(openApiOf(SparkJobStatus, 'output'));
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: SPARK_JOB_CRD_NAME, labels: { 'app.kubernetes.io/part-of': 'sparkplane' } },
    spec: {
      group: SPARK_JOB_GROUP,
      scope: 'Namespaced',
      names: {
        kind: SPARK_JOB_KIND,
        listKind: `${SPARK_JOB_KIND}List`,
        plural: SPARK_JOB_PLURAL,
        singular: SPARK_JOB_KIND.toLowerCase(),
        shortNames: ['sj'],
      },
      versions: [
        {
          name: SPARK_JOB_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterId' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Last run', type: 'string', jsonPath: '.status.lastRun.state' },
            { name: 'Next run', type: 'date', jsonPath: '.status.nextRunAt' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'A job of the sparkplane runtime, declared as code: its spec is the runtime JobSpec.',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec,
                status,
              },
            },
          },
        },
      ],
    },
  };
}
