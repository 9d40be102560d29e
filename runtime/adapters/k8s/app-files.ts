/**
 * The files an application names (main file, jars, files, py-files), as a Spark pod can reach them.
 * The local back-end's conventions name files of the runtime's machine; on Kubernetes the driver
 * runs in its own image, so they are mapped where the image has them, or refused naming the field:
 * - `spark-home://<path>`: the Spark install of the image, `local:///opt/spark/<path>` (the apache/spark layout);
 * - `examples://<path>`, `file://...` and plain absolute paths: the runtime's own disk, which no pod
 *   sees: refused, with what to use instead (`local://` for a file in the image, or object storage);
 * - any other URI (`local://`, `s3a://`, `gs://`, `https://`...): unchanged.
 */
import type { ApplicationConfig } from '../../domain/config';
import { DomainError } from '../../domain/errors';

/** SPARK_HOME of the apache/spark images (and of spark-operator's examples). */
export const IMAGE_SPARK_HOME = '/opt/spark';

const EXPECTED =
  "expected a file in the image (local:///<absolute path>, or spark-home://<path> for the image's Spark install) or in object storage (s3a://, gs://, https://)";

function refused(field: string, value: string, why: string): DomainError {
  const message = `${field}: ${JSON.stringify(value)} ${why} on the Kubernetes back-end; ${EXPECTED}`;
  return new DomainError('VALIDATION_FAILED', message, [{ path: field, message }]);
}

/** One file reference as the pod reaches it; `field` names it in errors (e.g. "deps.jars[0]"). */
export function podFile(value: string, field: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(value);
  if (!scheme) throw refused(field, value, "is a path on the runtime's machine, which no Spark pod sees,");
  const rest = scheme[2]!;
  switch (scheme[1]!.toLowerCase()) {
    case 'spark-home': {
      const parts = rest.split('/').filter((p) => p !== '' && p !== '.');
      if (parts.length === 0 || parts.includes('..'))
        throw refused(field, value, 'is not a path inside the Spark install');
      return `local://${IMAGE_SPARK_HOME}/${parts.join('/')}`;
    }
    case 'examples':
      throw refused(field, value, "names a file of the runtime's examples folder, which is not in the Spark image,");
    case 'file':
      throw refused(field, value, "is a file of the runtime's disk, which no Spark pod sees,");
    default:
      return value;
  }
}

/** The main file and the file lists of `deps`, mapped by podFile. */
export function podFiles(config: ApplicationConfig): {
  mainApplicationFile?: string;
  deps: NonNullable<ApplicationConfig['deps']>;
} {
  const deps = { ...config.deps };
  for (const key of ['jars', 'files', 'pyFiles'] as const) {
    const list = deps[key];
    if (list) deps[key] = list.map((value, i) => podFile(value, `deps.${key}[${i}]`));
  }
  return {
    ...(config.mainApplicationFile
      ? { mainApplicationFile: podFile(config.mainApplicationFile, 'mainApplicationFile') }
      : {}),
    deps,
  };
}
