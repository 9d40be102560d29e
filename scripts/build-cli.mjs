// Compiles the CLI (runtime/cli/main.ts and what it imports) once, so that `sparkplane` starts
// without transpiling TypeScript: ES modules split at each dynamic import, so a command loads
// only its own chunks. npm packages stay imports of node_modules. runtime/main and
// runtime/adapters stay TypeScript sources, loaded through tsx by the commands that run the
// runtime (see runtime/cli/typescript-sources.ts). bin/sparkplane.js runs the build while it is
// newer than every file it holds, the sources otherwise.
//   node scripts/build-cli.mjs        (npm run build)
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
/** Where bin/sparkplane.js looks (ignored by git, eslint and prettier, as node_modules is). */
export const BUILD_DIR = join(ROOT, 'node_modules', '.cache', 'sparkplane-cli');
const FROM_SOURCES = ['runtime/main/', 'runtime/adapters/'].map((dir) => join(ROOT, dir));

/** Imports of runtime/main and runtime/adapters: left to tsx, as paths from the build to the .ts sources. */
const runtimeSources = {
  name: 'runtime-sources',
  setup(build) {
    build.onResolve({ filter: /^\./ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'resolving',
      });
      if (resolved.errors.length > 0 || !FROM_SOURCES.some((dir) => resolved.path.startsWith(dir))) return undefined;
      return { path: relative(BUILD_DIR, resolved.path).split(sep).join('/'), external: true };
    });
  },
};

/** Builds into a new directory, then swaps it in: a CLI starting meanwhile sees the old build or none. */
export async function buildCli() {
  const staging = `${BUILD_DIR}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const started = Date.now();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'runtime/cli/main.ts' },
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    plugins: [runtimeSources],
    metafile: true,
    logLevel: 'warning',
  });
  // what bin/sparkplane.js compares: every bundled file and its modification time (0, never
  // current, for a file changed while the build read it)
  const inputs = Object.fromEntries(
    Object.keys(result.metafile.inputs).map((input) => {
      const mtimeMs = statSync(join(ROOT, input)).mtimeMs;
      return [input, mtimeMs > started ? 0 : mtimeMs];
    }),
  );
  writeFileSync(join(staging, 'inputs.json'), JSON.stringify(inputs));
  mkdirSync(dirname(BUILD_DIR), { recursive: true });
  rmSync(BUILD_DIR, { recursive: true, force: true });
  renameSync(staging, BUILD_DIR);
  return Object.keys(inputs).length;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = await buildCli();
  process.stdout.write(`built the CLI from ${count} files into ${relative(ROOT, BUILD_DIR)}\n`);
}
