/**
 * The runtime's CRD validator (runtime/adapters/k8s/crd-validator.ts) for tests, its errors as
 * "pointer message" lines, and the upstream CRDs in the shared folder beside the repository.
 */
import { fileURLToPath } from 'node:url';
import {
  crdValidatorOf as runtimeValidatorOf,
  loadCrdValidator as loadRuntimeValidator,
} from '../../runtime/adapters/k8s/crd-validator';

export interface CrdValidator {
  /** The errors of an object, as "pointer message" lines; empty when valid. */
  errors(object: unknown): string[];
}

/** A validator for one version of the CRD in `file`. */
export function loadCrdValidator(file: string, version: string): CrdValidator {
  const validator = loadRuntimeValidator(file, version);
  return { errors: (object) => validator.errors(object).map((e) => `${e.pointer} ${e.message}`) };
}

/** A validator for one version of a CRD given as an object (a generated one). */
export function crdValidatorOf(crd: unknown, version: string): CrdValidator {
  const validator = runtimeValidatorOf(crd as Parameters<typeof runtimeValidatorOf>[0], version);
  return { errors: (object) => validator.errors(object).map((e) => `${e.pointer} ${e.message}`) };
}

/** The upstream CRD, in the shared folder beside the repository (../shared/schemas). */
export const SPARK_APPLICATION_CRD_FILE = fileURLToPath(
  new URL('../../../shared/schemas/spark-operator/sparkoperator.k8s.io_sparkapplications.yaml', import.meta.url),
);
