import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { areaOf, cycleViolations, directionViolations, type ImportGraph, readImportGraph } from './import-graph';

const root = fileURLToPath(new URL('../..', import.meta.url));

function graphOf(edges: Record<string, string[]>): ImportGraph {
  return {
    edges: new Map(
      Object.entries(edges).map(([file, imports]) => [
        file,
        {
          files: imports.filter((i) => /^(runtime|components|stacks)\//.test(i)),
          packages: imports.filter((i) => !/^(runtime|components|stacks)\//.test(i)),
        },
      ]),
    ),
  };
}

describe('architecture of the repository', () => {
  const graph = readImportGraph(root, ['runtime', 'components', 'stacks']);

  it('reads a real graph (the check is not vacuous)', () => {
    expect(graph.edges.size).toBeGreaterThan(10);
    expect(graph.edges.get('runtime/domain/resources.ts')?.files).toContain('runtime/domain/config.ts');
    // the stacks import the library through the package's own export, resolved to its index
    expect(graph.edges.get('stacks/program.ts')?.files).toContain('components/index.ts');
  });

  it('has no arrow pointing the wrong way and no forbidden package', () => {
    expect(directionViolations(graph).map((v) => v.message)).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycleViolations(graph).map((v) => v.message)).toEqual([]);
  });
});

describe('the architecture check itself, on synthetic graphs', () => {
  it('classifies files by folder', () => {
    expect(areaOf('runtime/domain/config.ts')).toBe('runtime/domain');
    expect(areaOf('runtime/tuning/tuner.ts')).toBe('runtime/core');
    expect(areaOf('runtime/adapters/http/server.ts')).toBe('runtime/adapters');
    expect(areaOf('components/aws/cluster.ts')).toBe('components');
    expect(areaOf('components/cluster/handle.ts')).toBe('components/cluster');
    expect(areaOf('stacks/index.ts')).toBe('stacks');
  });

  it('catches arrows that point the wrong way', () => {
    const graph = graphOf({
      'runtime/domain/a.ts': ['runtime/adapters/store/sqlite.ts'],
      'runtime/adapters/store/sqlite.ts': ['runtime/domain/b.ts'],
      'runtime/domain/b.ts': [],
      'runtime/tuning/t.ts': ['components/aws/cluster.ts'],
      'components/aws/cluster.ts': ['stacks/index.ts', 'runtime/apps/submit.ts', 'components/cluster/handle.ts'],
      'components/cluster/handle.ts': ['components/platform/args.ts'],
      'stacks/index.ts': [],
      'runtime/apps/submit.ts': [],
    });
    expect(directionViolations(graph).map((v) => v.message)).toEqual([
      'runtime/domain/a.ts (runtime/domain) imports runtime/adapters/store/sqlite.ts (runtime/adapters)',
      'runtime/tuning/t.ts (runtime/core) imports components/aws/cluster.ts (components)',
      'components/aws/cluster.ts (components) imports stacks/index.ts (stacks)',
      'components/aws/cluster.ts (components) imports runtime/apps/submit.ts (runtime/core)',
      'components/cluster/handle.ts (components/cluster) imports components/platform/args.ts (components)',
    ]);
  });

  it('catches infrastructure packages in the domain and the core', () => {
    const graph = graphOf({
      'runtime/domain/a.ts': ['zod', 'fastify'],
      'runtime/metrics/m.ts': ['node:child_process', '@kubernetes/client-node'],
      'runtime/adapters/k8s/b.ts': ['@kubernetes/client-node'],
    });
    expect(directionViolations(graph).map((v) => v.message)).toEqual([
      'runtime/domain/a.ts (runtime/domain) imports the package "fastify"',
      'runtime/metrics/m.ts (runtime/core) imports the package "node:child_process"',
      'runtime/metrics/m.ts (runtime/core) imports the package "@kubernetes/client-node"',
    ]);
  });

  it('catches cycles, long and self-imports, and passes an acyclic graph', () => {
    const cyclic = graphOf({
      'runtime/domain/a.ts': ['runtime/domain/b.ts'],
      'runtime/domain/b.ts': ['runtime/domain/c.ts'],
      'runtime/domain/c.ts': ['runtime/domain/a.ts'],
      'runtime/domain/d.ts': ['runtime/domain/d.ts'],
      'runtime/domain/e.ts': ['runtime/domain/a.ts'],
    });
    expect(cycleViolations(cyclic).map((v) => v.message)).toEqual([
      'import cycle: runtime/domain/a.ts <-> runtime/domain/b.ts <-> runtime/domain/c.ts',
      'import cycle: runtime/domain/d.ts',
    ]);
    const acyclic = graphOf({
      'runtime/domain/a.ts': ['runtime/domain/b.ts', 'runtime/domain/c.ts'],
      'runtime/domain/b.ts': ['runtime/domain/c.ts'],
      'runtime/domain/c.ts': [],
    });
    expect(cycleViolations(acyclic)).toEqual([]);
  });
});
