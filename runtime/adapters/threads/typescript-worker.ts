/**
 * Worker threads whose entry is a TypeScript module: the worker registers the tsx loader the
 * runtime itself runs with (its ESM API, found through the package's exports: test runners lack
 * import.meta.resolve), then imports the entry.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

function workerSource(entry: URL): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const { exports } = require(manifest) as { exports: Record<string, { import: { default: string } }> };
  const tsxApi = pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
}

/** A worker running the TypeScript module `entry`. */
export function typescriptWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  return new Worker(workerSource(entry), { ...options, eval: true });
}
