/**
 * The import graph of the project's TypeScript files and the rules of direction of
 * ../shared/DESIGN.md. Parsing uses the TypeScript compiler's own pre-processor, so every form
 * of import (static, type-only, re-export, dynamic import(), require) is seen.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface ImportGraph {
  /** file (relative to the root) -> imported specifiers, resolved to files for relative imports */
  edges: Map<string, { files: string[]; packages: string[] }>;
}

export type Area =
  | 'stacks'
  | 'components'
  | 'components/cluster'
  | 'components/lib'
  | 'runtime/domain'
  | 'runtime/core'
  | 'runtime/adapters'
  | 'runtime/main'
  | 'runtime/cli'
  | 'runtime/ui'
  | 'other';

const CORE = ['apps', 'jobs', 'scheduling', 'tuning', 'metrics'];

export function areaOf(file: string): Area {
  const [top, second] = file.split('/');
  if (top === 'stacks') return 'stacks';
  if (top === 'components') {
    if (second === 'lib') return 'components/lib';
    // the ClusterHandle lives below the cloud components that produce it and the platform that takes it
    if (second === 'cluster') return 'components/cluster';
    return 'components';
  }
  if (top === 'runtime') {
    if (second === 'domain') return 'runtime/domain';
    if (second !== undefined && CORE.includes(second)) return 'runtime/core';
    if (second === 'adapters') return 'runtime/adapters';
    if (second === 'main') return 'runtime/main';
    if (second === 'cli') return 'runtime/cli';
    if (second === 'ui') return 'runtime/ui';
  }
  return 'other';
}

/** Which areas each area may import from (DESIGN.md, "Rules of direction"). */
export const ALLOWED: Record<Area, readonly Area[]> = {
  stacks: ['stacks', 'components', 'components/cluster', 'components/lib', 'runtime/domain'],
  components: ['components', 'components/cluster', 'components/lib', 'runtime/domain'],
  'components/cluster': ['components/cluster', 'components/lib', 'runtime/domain'],
  'components/lib': ['components/lib', 'runtime/domain'],
  'runtime/domain': ['runtime/domain'],
  'runtime/core': ['runtime/core', 'runtime/domain'],
  'runtime/adapters': ['runtime/adapters', 'runtime/core', 'runtime/domain'],
  'runtime/main': ['runtime/main', 'runtime/adapters', 'runtime/core', 'runtime/domain'],
  'runtime/cli': ['runtime/cli', 'runtime/main', 'runtime/adapters', 'runtime/core', 'runtime/domain'],
  'runtime/ui': ['runtime/ui', 'runtime/domain'],
  other: [
    'stacks',
    'components',
    'components/cluster',
    'components/lib',
    'runtime/domain',
    'runtime/core',
    'runtime/adapters',
    'runtime/main',
    'runtime/cli',
    'runtime/ui',
    'other',
  ],
};

/** Packages the domain and the core use cases must never import: they are adapters' business. */
const INFRASTRUCTURE = [
  /^fastify/,
  /^@fastify\//,
  /^pg$/,
  /^better-sqlite3$/,
  /^kysely/,
  /^@kubernetes\/client-node/,
  /^@pulumi\//,
  /^(node:)?child_process$/,
];

export const FORBIDDEN_PACKAGES: Partial<Record<Area, readonly RegExp[]>> = {
  'runtime/domain': INFRASTRUCTURE,
  'runtime/core': INFRASTRUCTURE,
  'components/lib': [/^@pulumi\//],
};

export interface Violation {
  kind: 'direction' | 'package' | 'cycle';
  message: string;
}

function sourceFiles(root: string, dir: string): string[] {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(root, path);
    return /\.(ts|tsx)$/.test(name) && !/\.d\.ts$/.test(name) ? [path] : [];
  });
}

function resolveRelative(root: string, from: string, specifier: string): string | undefined {
  const base = resolve(root, dirname(from), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return relative(root, candidate);
  }
  return undefined;
}

/** The package's own exports ("sparkplane/components" -> components/index.ts): a self-import is a file edge. */
function selfExports(root: string): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    exports?: Record<string, string | { default?: string }>;
  };
  return new Map(
    Object.entries(pkg.exports ?? {}).flatMap(([subpath, target]) => {
      const file = typeof target === 'string' ? target : target.default;
      return file?.endsWith('.ts') ? [[join(pkg.name, subpath), relative(root, resolve(root, file))]] : [];
    }),
  );
}

/** Reads the imports of every .ts file under the given top-level folders. */
export function readImportGraph(root: string, folders: readonly string[]): ImportGraph {
  const edges: ImportGraph['edges'] = new Map();
  const self = selfExports(root);
  for (const file of folders.flatMap((folder) => sourceFiles(root, folder))) {
    const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const files: string[] = [];
    const packages: string[] = [];
    for (const { fileName } of info.importedFiles) {
      if (fileName.startsWith('.')) {
        const target = resolveRelative(root, file, fileName);
        if (target === undefined) throw new Error(`${file}: cannot resolve import "${fileName}"`);
        files.push(target);
      } else if (self.has(fileName)) {
        files.push(self.get(fileName)!);
      } else {
        packages.push(fileName);
      }
    }
    edges.set(file, { files, packages });
  }
  return { edges };
}

/** Arrows that point the wrong way and forbidden packages. Test files may import anything. */
export function directionViolations(graph: ImportGraph): Violation[] {
  const violations: Violation[] = [];
  for (const [file, { files, packages }] of graph.edges) {
    if (/\.test\.tsx?$/.test(file)) continue;
    const from = areaOf(file);
    for (const target of files) {
      const to = areaOf(target);
      if (!ALLOWED[from].includes(to)) {
        violations.push({ kind: 'direction', message: `${file} (${from}) imports ${target} (${to})` });
      }
    }
    for (const pkg of packages) {
      if ((FORBIDDEN_PACKAGES[from] ?? []).some((pattern) => pattern.test(pkg))) {
        violations.push({ kind: 'package', message: `${file} (${from}) imports the package "${pkg}"` });
      }
    }
  }
  return violations;
}

/** Every import cycle, as strongly connected components of more than one file (or a self-import). */
export function cycleViolations(graph: ImportGraph): Violation[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;

  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.edges.get(node)?.files ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfImport = graph.edges.get(node)?.files.includes(node) ?? false;
      if (component.length > 1 || selfImport) cycles.push(component.sort());
    }
  };

  for (const node of graph.edges.keys()) if (!index.has(node)) visit(node);
  return cycles.map((cycle) => ({ kind: 'cycle', message: `import cycle: ${cycle.join(' <-> ')}` }));
}
