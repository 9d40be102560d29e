/**
 * The runtime (serve, render) runs from its TypeScript sources even under the compiled CLI: its
 * SQLite writer thread loads a .ts file, and it finds examples/ and Spark relative to its own
 * files. The build leaves runtime/main and runtime/adapters out of the bundle (scripts/build-cli.mjs);
 * call this before importing them.
 */
export async function loadTypeScript(): Promise<void> {
  // under tsx (the tests, or bin/ without a build) .ts files load already
  if (import.meta.url.endsWith('.ts')) return;
  const { register } = await import('tsx/esm/api');
  register();
}
