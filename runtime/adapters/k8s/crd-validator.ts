/**
 * Validates objects against the openAPIV3Schema of an upstream CRD, as the Kubernetes API server
 * would: x-kubernetes-int-or-string accepts both, x-kubernetes-preserve-unknown-fields keeps
 * unknown fields, every other object with declared properties rejects unknown ones (the API server
 * prunes them silently, which would drop a setting without a word), and the label and name rules
 * the API server checks itself (the CRD leaves metadata and pod labels open).
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
  // OpenAPI 3.0's boolean form (which zod emits and the API server takes) as JSON Schema's number form
  if (typeof input.exclusiveMinimum === 'boolean') {
    delete out.exclusiveMinimum;
    if (input.exclusiveMinimum) {
      out.exclusiveMinimum = input.minimum;
      delete out.minimum;
    }
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

/** One reason the API server would refuse the object: the JSON pointer of the field, and why. */
export interface SchemaError {
  pointer: string;
  message: string;
}

const LABEL_RULES =
  'a label key is an optional DNS prefix and "/", then 1-63 letters, digits, "-", "_" or "." starting and ending alphanumeric; a value is the same without prefix, or empty';

function labelErrors(pointer: string, labels: unknown): SchemaError[] {
  if (labels === null || typeof labels !== 'object') return [];
  const errors: SchemaError[] = [];
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    const at = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (!LABEL_KEY.test(key))
      errors.push({ pointer: at, message: `key ${JSON.stringify(key)} is not a label key (${LABEL_RULES})` });
    else if (typeof value === 'string' && !LABEL_VALUE.test(value))
      errors.push({ pointer: at, message: `value ${JSON.stringify(value)} is not a label value (${LABEL_RULES})` });
  }
  return errors;
}

/** The checks of names and labels the API server makes itself. */
function metadataErrors(object: Schema): SchemaError[] {
  const metadata = (object.metadata ?? {}) as { name?: string; labels?: Record<string, string> };
  const spec = (object.spec ?? {}) as { driver?: { labels?: unknown }; executor?: { labels?: unknown } };
  const errors: SchemaError[] = [];
  if (!metadata.name || !DNS_SUBDOMAIN.test(metadata.name))
    errors.push({ pointer: '/metadata/name', message: `${JSON.stringify(metadata.name)} is not a DNS name` });
  errors.push(...labelErrors('/metadata/labels', metadata.labels));
  // the operator copies these onto the pods, which the API server would then refuse
  errors.push(...labelErrors('/spec/driver/labels', spec.driver?.labels));
  errors.push(...labelErrors('/spec/executor/labels', spec.executor?.labels));
  return errors;
}

function describeSchemaError(error: ErrorObject): SchemaError {
  const extra = (error.params as { additionalProperty?: string }).additionalProperty;
  if (extra !== undefined) {
    return { pointer: `${error.instancePath}/${extra}`, message: 'is not a field the CRD declares' };
  }
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  const message = allowed
    ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
    : (error.message ?? 'is invalid');
  return { pointer: error.instancePath || '/', message };
}

export interface CrdValidator {
  /** Why the API server would refuse the object; empty when it would take it. */
  errors(object: unknown): SchemaError[];
}

interface CrdDocument {
  spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
}

/** A validator for one version of the CRD in `file`. */
export function loadCrdValidator(file: string, version: string): CrdValidator {
  return crdValidatorOf(parse(readFileSync(file, 'utf8')) as CrdDocument, version, file);
}

/** A validator for one version of a CRD given as an object (`source` names it in errors). */
export function crdValidatorOf(crd: CrdDocument, version: string, source = 'the CRD'): CrdValidator {
  const found = crd.spec.versions.find((v) => v.name === version);
  if (!found) throw new Error(`${source} has no version ${version}`);
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(convert(found.schema.openAPIV3Schema) as Schema);
  return {
    errors(object: unknown): SchemaError[] {
      const valid = validate(object);
      const schemaErrors = valid ? [] : (validate.errors ?? []).map(describeSchemaError);
      return [...schemaErrors, ...metadataErrors(object as Schema)];
    },
  };
}

/**
 * The spark-operator chart version whose CRDs the back-end renders for. Its chart's crds/ are
 * vendored unchanged in crds/spark-operator-<version>/, the one copy: the platform component
 * installs them from there too.
 */
export const SPARK_OPERATOR_CRDS_VERSION = '2.5.0';

/** The folder of a spark-operator chart version's vendored CRDs. */
export function sparkOperatorCrdDir(version: string): string {
  return fileURLToPath(new URL(`./crds/spark-operator-${version}/`, import.meta.url));
}

/** spark-operator's SparkApplication CRD as released with the operator version the back-end targets. */
export const SPARK_APPLICATION_CRD_FILE = `${sparkOperatorCrdDir(SPARK_OPERATOR_CRDS_VERSION)}sparkoperator.k8s.io_sparkapplications.yaml`;

/** spark-operator's SparkConnect CRD (sessions), beside the SparkApplication one. */
export const SPARK_CONNECT_CRD_FILE = `${sparkOperatorCrdDir(SPARK_OPERATOR_CRDS_VERSION)}sparkoperator.k8s.io_sparkconnects.yaml`;
