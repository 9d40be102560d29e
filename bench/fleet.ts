/**
 * How rendering a fleet scales with its declared jobs: the fleet stack (12 clusters, AWS and GCP,
 * one control plane) rendered under Pulumi mocks with 500 declared jobs and then 1000, each after
 * a warm-up, the median of several runs (alternating, so drift hits both alike). The jobs are the
 * runtime's JobSpecs carried by the control plane as one ConfigMap each (there is no SparkJob
 * component yet).
 *   npm run bench:fleet [-- --runs 5]
 * The last line: fleet jobs-1000/jobs-500 time ratio=<r>
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { expandFleet, Fleet, type JobSpecInput } from 'sparkplane/components';
import { runUnderMocks } from '../components/testing/pulumi-mocks';
import { readStackConfig } from '../stacks/config';
import { engineConfig, stackFile } from '../stacks/render';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);

const config = readStackConfig(engineConfig(readFileSync(stackFile('fleet'), 'utf8')));
const fleet = config.fleet!;

/** `count` jobs spread over the fleet's clusters, half of them scheduled. */
function jobs(count: number, clusterIds: string[]): JobSpecInput[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `job-${String(i).padStart(4, '0')}`,
    clusterId: clusterIds[i % clusterIds.length]!,
    config: {
      type: 'Python',
      mainApplicationFile: `gs://acme-jobs/job-${i}/main.py`,
      executor: { instances: 2 + (i % 8), cores: 4, memory: '8g' },
    },
    ...(i % 2 === 0 ? { schedule: { cron: `${i % 60} ${i % 24} * * *` } } : {}),
  }));
}

const clusterIds = expandFleet(fleet).members.map((m) => m.name);

async function renderOnce(count: number): Promise<{ ms: number; resources: number }> {
  const declared = jobs(count, clusterIds);
  const started = performance.now();
  const { resources } = await runUnderMocks(() => new Fleet('sparkplane-fleet', { ...fleet, jobs: declared }), {
    stack: 'fleet',
  });
  return { ms: performance.now() - started, resources: resources.length };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  console.log(`fleet of ${clusterIds.length} clusters; ${runs} runs per size after a warm-up`);
  await renderOnce(500);
  await renderOnce(1000);
  const times: Record<number, number[]> = { 500: [], 1000: [] };
  const counts: Record<number, number> = {};
  for (let i = 0; i < runs; i++) {
    for (const size of i % 2 === 0 ? [500, 1000] : [1000, 500]) {
      const { ms, resources } = await renderOnce(size);
      times[size]!.push(ms);
      counts[size] = resources;
    }
  }
  for (const size of [500, 1000])
    console.log(
      `jobs=${size} resources=${counts[size]} median-ms=${Math.round(median(times[size]!))} runs-ms=${times[size]!.map(Math.round).join(',')}`,
    );
  console.log(`fleet jobs-1000/jobs-500 time ratio=${(median(times[1000]!) / median(times[500]!)).toFixed(2)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
