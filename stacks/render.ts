/**
 * Renders a stack without the Pulumi CLI: reads stacks/Pulumi.<stack>.yaml, runs the program under
 * Pulumi mocks and returns every resource it would register. Used by the tests and `npm run preview`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { type MockRun, type RecordedResource, runUnderMocks } from '../components/testing/pulumi-mocks';
import { readStackConfig } from './config';
import { buildStack, type StackOutputs } from './program';

/** The AWS stacks (their tests assert EKS and Karpenter). */
export const AWS_STACKS = ['dev', 'staging', 'prod'] as const;
/** Every stack `npm run preview` renders. */
export const STACKS = [...AWS_STACKS, 'gke-dev', 'existing-lab', 'fleet'] as const;

export function stackFile(stack: string): string {
  return fileURLToPath(new URL(`./Pulumi.${stack}.yaml`, import.meta.url));
}

/** The config as the engine passes it: "project:key" -> string, objects JSON-encoded; secure values become placeholders. */
export function engineConfig(yamlText: string): Record<string, string> {
  const doc = (parse(yamlText) ?? {}) as { config?: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(doc.config ?? {}).map(([key, value]) => {
      if (value && typeof value === 'object' && 'secure' in value) return [key, '[secret placeholder]'];
      return [key, typeof value === 'string' ? value : JSON.stringify(value)];
    }),
  );
}

export function renderStack(
  stack: string,
  config = engineConfig(readFileSync(stackFile(stack), 'utf8')),
): Promise<MockRun<StackOutputs>> {
  return runUnderMocks(() => buildStack(readStackConfig(config), stack), { project: 'sparkplane', stack, config });
}

/** Kubernetes objects and Helm releases among the resources (providers excluded). */
export function kubernetesResources(resources: RecordedResource[]): RecordedResource[] {
  return resources.filter((r) => r.custom && r.type.startsWith('kubernetes:'));
}
