/**
 * Where the files an application names (main file, jars, py-files, files) live on this machine.
 *
 * Conventions of the local back-end:
 * - `spark-home://<path>`: a file of the Spark install, e.g. `spark-home://examples/src/main/python/pi.py`.
 * - `examples://<path>`: a file of this project's `examples/` folder, e.g. `examples://shuffle_aggregation.py`.
 * - `local://<absolute path>` (also `local:///<path>`), `file://<absolute path>` or a plain absolute path:
 *   a file already on this machine (as `local://` means "already in the image" on Kubernetes).
 * - Any other URI (`https://`, `s3a://`, `gs://`, `hdfs://`...): given to spark-submit unchanged.
 * A relative path is rejected: it would depend on the runtime's working directory.
 */
import { isAbsolute, normalize, relative, resolve } from 'node:path';
import { DomainError } from '../../domain/errors';

export interface FileRoots {
  sparkHome: string;
  examplesDir: string;
}

export interface ResolvedFile {
  /** What spark-submit receives. */
  location: string;
  /** Set when the file is on this machine, so its existence can be checked before the run. */
  localPath?: string;
}

export const FILE_EXPECTED =
  'an absolute path or a URI: spark-home://<path>, examples://<path>, local://<absolute path>, file://, https://, s3a://...';

function invalid(field: string, value: string, why: string): DomainError {
  const message = `${field}: ${JSON.stringify(value)} ${why}`;
  return new DomainError('VALIDATION_FAILED', message, [{ path: field, message }]);
}

/** `<root>/<path>`, refusing a path that climbs out of root. */
function under(root: string, path: string, field: string, value: string): string {
  const full = resolve(root, normalize(path));
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw invalid(field, value, `is outside ${root}`);
  return full;
}

/** Resolves one file reference; `field` names it in errors (e.g. "deps.jars[0]"). */
export function resolveAppFile(value: string, roots: FileRoots, field: string): ResolvedFile {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(value);
  if (!scheme) {
    if (!isAbsolute(value)) throw invalid(field, value, `is a relative path: expected ${FILE_EXPECTED}`);
    return { location: normalize(value), localPath: normalize(value) };
  }
  const kind = scheme[1]!.toLowerCase();
  const rest = scheme[2]!;
  switch (kind) {
    case 'spark-home': {
      const path = under(roots.sparkHome, rest, field, value);
      return { location: path, localPath: path };
    }
    case 'examples': {
      const path = under(roots.examplesDir, rest, field, value);
      return { location: path, localPath: path };
    }
    case 'local':
    case 'file': {
      // local:///opt/x and local://opt/x both mean /opt/x
      const path = normalize(rest.startsWith('/') ? rest : `/${rest}`);
      return { location: path, localPath: path };
    }
    default:
      return { location: value };
  }
}
