import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { ApplicationConfig } from './config';
import { jsonSchemaOf, PUBLISHED_SCHEMAS, type PublishedSchemaName } from './json-schema';

const samples: unknown[] = [
  {},
  { executor: { memory: '8g', instances: 2 } },
  { executor: { memroy: '8g' } },
  { type: 'Rust' },
  { timeout: 'DISABLED' },
  { timeout: { minutes: 3 } },
  { sparkConf: { 'spark.x': 1 } },
  { driver: { cores: 1.5 } },
];

describe('generated JSON Schema', () => {
  it.each(Object.keys(PUBLISHED_SCHEMAS) as PublishedSchemaName[])('%s compiles as JSON Schema 2020-12', (name) => {
    const ajv = new Ajv2020({ strict: false });
    expect(() => ajv.compile(jsonSchemaOf(name))).not.toThrow();
  });

  it('accepts and rejects the same application configs as the zod schema, quantities aside', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(jsonSchemaOf('ApplicationConfig'));
    for (const sample of samples)
      expect([sample, validate(sample)]).toEqual([sample, ApplicationConfig.safeParse(sample).success]);
  });
});
