/**
 * Validates objects against the openAPIV3Schema of an upstream CRD, as the Kubernetes API server
 * would: x-kubernetes-int-or-string accepts both, x-kubernetes-preserve-unknown-fields keeps
 * unknown fields, every other object with declared properties rejects unknown ones (the API server
 * prunes them silently, which would drop a setting without a word).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';

type Schema = Record<string, unknown>;

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  const input = node as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(input)) {
    if (key.startsWith('x-kubernetes-') || key === 'description' || key === 'format') continue;
    out[key] = key === 'properties' || key === 'patternProperties' ? mapValues(value as Schema) : convert(value);
  }
  if (input['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  const preserve = input['x-kubernetes-preserve-unknown-fields'] === true;
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined && !preserve) {
    out.additionalProperties = false;
  }
  return out;
}

function mapValues(properties: Schema): Schema {
  return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, convert(v)]));
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** The checks of metadata the API server makes itself (the CRD schema leaves metadata open). */
function metadataErrors(object: Schema): string[] {
  const metadata = (object.metadata ?? {}) as { name?: string; labels?: Record<string, string> };
  const errors: string[] = [];
  if (!metadata.name || !DNS_SUBDOMAIN.test(metadata.name))
    errors.push(`metadata.name ${metadata.name} is not a DNS name`);
  for (const [key, value] of Object.entries(metadata.labels ?? {})) {
    if (!LABEL_KEY.test(key)) errors.push(`metadata.labels key ${key} is not a label key`);
    if (!LABEL_VALUE.test(value)) errors.push(`metadata.labels[${key}] ${value} is not a label value`);
  }
  return errors;
}

export interface CrdValidator {
  /** The errors of an object, as "path message" lines; empty when valid. */
  errors(object: unknown): string[];
}

/** A validator for one version of the CRD in `file`. */
export function loadCrdValidator(file: string, version: string): CrdValidator {
  const crd = parse(readFileSync(file, 'utf8')) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
  };
  const found = crd.spec.versions.find((v) => v.name === version);
  if (!found) throw new Error(`${file} has no version ${version}`);
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(convert(found.schema.openAPIV3Schema) as Schema);
  return {
    errors(object: unknown): string[] {
      const valid = validate(object);
      const schemaErrors = valid
        ? []
        : (validate.errors ?? []).map(
            (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
          );
      return [...schemaErrors, ...metadataErrors(object as Schema)];
    },
  };
}

/** The upstream CRD, in the shared folder beside the repository (../shared/schemas). */
export const SPARK_APPLICATION_CRD_FILE = fileURLToPath(
  new URL('../../../shared/schemas/spark-operator/sparkoperator.k8s.io_sparkapplications.yaml', import.meta.url),
);
