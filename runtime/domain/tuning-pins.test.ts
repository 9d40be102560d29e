import { describe, expect, it } from 'vitest';
import type { ApplicationConfig } from './config';
import { DomainError } from './errors';
import { mergeConfig } from './merge';
import { JobSpec } from './resources';
import { pinPointer } from './tuning-pins';
import { parseOrThrow } from './validation';

const spec = (pin: unknown) => ({ id: 'etl', clusterId: 'local', tuning: { pin } });

function refusal(pin: unknown): string {
  try {
    parseOrThrow(JobSpec, spec(pin));
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).message;
  }
  throw new Error('the spec was accepted');
}

describe('tuning.pin', () => {
  it('accepts config paths, objects and spark properties with dots', () => {
    const job = parseOrThrow(JobSpec, spec(['executor.memory', 'driver', 'sparkConf.spark.sql.shuffle.partitions']));
    expect(job.tuning.pin).toHaveLength(3);
    expect(pinPointer('sparkConf.spark.sql.shuffle.partitions')).toBe('/sparkConf/spark.sql.shuffle.partitions');
    expect(pinPointer('executor.memory')).toBe('/executor/memory');
  });

  it('refuses a path the config schema does not have, naming the path and the fields it could be', () => {
    const message = refusal(['executor.memory', 'executor.memry']);
    expect(message).toContain('tuning.pin[1]: "executor.memry" is not a config path');
    expect(message).toContain('names no field "memry" of executor');
    expect(message).toContain('memoryOverhead');
  });

  it('refuses a path below a single value and an empty segment', () => {
    expect(refusal(['executor.memory.size'])).toContain('goes below executor.memory, which is a single value');
    expect(refusal(['executor..memory'])).toContain('has an empty segment');
  });

  it('leaves a job without pins as it was: no pin list at all', () => {
    expect(parseOrThrow(JobSpec, { id: 'etl', clusterId: 'local' }).tuning.pin).toBeUndefined();
  });
});

describe('mergeConfig with the job pins', () => {
  const template: ApplicationConfig = { executor: { cores: 2 } };
  const job: ApplicationConfig = { executor: { instances: 40, memory: '16g' }, driver: { memory: '4g' } };
  const tuning: ApplicationConfig = { executor: { instances: 6, memory: '4g' }, driver: { memory: '2g' } };

  it('puts the unpinned job values below the tuning and the pinned ones above it, with their starting values', () => {
    const merged = mergeConfig({ template, job, tuning }, { jobPins: [pinPointer('executor.memory')] });
    expect(merged.config.executor).toEqual({ cores: 2, instances: 6, memory: '16g' });
    expect(merged.config.driver).toEqual({ memory: '2g' });
    expect(merged.provenance).toMatchObject({
      '/executor/instances': 'tuning',
      '/executor/memory': 'job',
      '/driver/memory': 'tuning',
      '/executor/cores': 'template',
    });
    expect(merged.tunedFrom).toEqual({ '/executor/instances': 40, '/driver/memory': '4g' });
  });

  it('without pins keeps the whole job config above the tuning, as before', () => {
    const merged = mergeConfig({ template, job, tuning });
    expect(merged.config.executor).toEqual({ cores: 2, instances: 40, memory: '16g' });
    expect(merged.tunedFrom).toEqual({});
  });

  it('never lets the tuning win over the overrides', () => {
    const merged = mergeConfig({ job, tuning, overrides: { executor: { instances: 3 } } }, { jobPins: [] });
    expect(merged.config.executor?.instances).toBe(3);
    expect(merged.provenance['/executor/instances']).toBe('overrides');
    expect(merged.tunedFrom['/executor/instances']).toBeUndefined();
  });
});
