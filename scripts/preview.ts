/**
 * `npm run preview -- <stack> --out <dir>`: what `pulumi up` would create, without cloud
 * credentials or the Pulumi CLI. Runs the program under Pulumi mocks with stacks/Pulumi.<stack>.yaml,
 * prints the resource tree (type and name, indented by parent) and the count, and writes every
 * rendered Kubernetes manifest (and Helm release) as YAML under <dir>.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import type { RecordedResource } from '../components/testing/pulumi-mocks';
import { kubernetesResources, renderStack, STACKS } from '../stacks/render';

function usage(message: string): never {
  console.error(`${message}\nusage: npm run preview -- <${STACKS.join('|')}> [--out <dir>]`);
  process.exit(2);
}

function printTree(resources: RecordedResource[]): void {
  const children = new Map<string, RecordedResource[]>();
  // sorted by type and name: registration order varies from run to run
  const sorted = [...resources].sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
  for (const r of sorted) {
    const key = r.parentUrn ?? '';
    children.set(key, [...(children.get(key) ?? []), r]);
  }
  const walk = (parent: string, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      console.log(`${'  '.repeat(depth)}${r.custom ? '+' : '#'} ${r.type}  ${r.name}`);
      walk(r.urn, depth + 1);
    }
  };
  walk('', 0);
}

/** File name of a rendered object: <namespace or "cluster">/<kind>-<name>.yaml */
function manifestPath(r: RecordedResource): string {
  const inputs = r.inputs as {
    kind?: string;
    metadata?: { name?: string; namespace?: string };
    name?: string;
    namespace?: string;
  };
  if (r.type.startsWith('kubernetes:helm.sh/'))
    return join(inputs.namespace ?? 'cluster', `helmrelease-${inputs.name ?? r.name}.yaml`);
  return join(
    inputs.metadata?.namespace ?? 'cluster',
    `${(inputs.kind ?? r.type.split(':').pop()!).toLowerCase()}-${inputs.metadata?.name ?? r.name}.yaml`,
  );
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const stack = argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--out');
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  if (!stack) usage('missing the stack name');
  if (!(STACKS as readonly string[]).includes(stack))
    usage(`unknown stack ${JSON.stringify(stack)}; expected one of ${STACKS.join(', ')}`);
  if (outIndex >= 0 && !out) usage('--out needs a directory');

  const started = performance.now();
  const { resources } = await renderStack(stack);
  const elapsedMs = performance.now() - started;

  console.log(`Stack ${stack}: resources \`pulumi up\` would create (+ custom resource, # component)\n`);
  printTree(resources);
  const manifests = kubernetesResources(resources);
  console.log(
    `\n${resources.length} resources (${resources.filter((r) => !r.custom).length} components, ${manifests.length} Kubernetes objects and Helm releases)`,
  );
  if (out) {
    for (const r of manifests) {
      const file = join(out, stack, manifestPath(r));
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, stringify(r.inputs, { sortMapEntries: true }));
    }
    console.log(`wrote ${manifests.length} manifests under ${join(out, stack)}`);
  }
  console.log(`rendered in ${Math.round(elapsedMs)} ms`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
