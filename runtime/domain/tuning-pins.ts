/**
 * Which values of a job's config the tuner must leave alone: `tuning.pin` lists config paths such
 * as "executor.memory" or "sparkConf.spark.sql.shuffle.partitions" (a whole object, e.g.
 * "executor", pins every value under it). Each path is checked against the config schema.
 */
import { z } from 'zod';
import { ApplicationConfig } from './config';
import { pointer } from './merge';

type Walked = { ok: true; path: string[] } | { ok: false; message: string };

/** Strips optional and default wrappers, which say nothing about the path. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** The config keys a dotted path names, walking the schema: a record (sparkConf) takes the rest as one key. */
function walk(path: string): Walked {
  const parts = path.split('.');
  if (parts.some((p) => p === '')) return { ok: false, message: 'has an empty segment' };
  let schema: z.ZodType = ApplicationConfig;
  const keys: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const node = unwrap(schema);
    const at = keys.length ? keys.join('.') : 'the config';
    if (node instanceof z.ZodRecord) {
      keys.push(parts.slice(i).join('.'));
      return { ok: true, path: keys };
    }
    if (!(node instanceof z.ZodObject)) {
      return { ok: false, message: `goes below ${at}, which is a single value` };
    }
    const shape = node.shape as Record<string, z.ZodType>;
    const next = shape[parts[i]!];
    if (next === undefined) {
      return {
        ok: false,
        message: `names no field "${parts[i]}" of ${at} (expected one of ${Object.keys(shape).join(', ')})`,
      };
    }
    keys.push(parts[i]!);
    schema = next;
  }
  return { ok: true, path: keys };
}

export const PinPath = z
  .string()
  .min(1)
  .superRefine((path, ctx) => {
    const walked = walk(path);
    if (!walked.ok) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a config path such as "executor.memory" or "sparkConf.spark.sql.shuffle.partitions": it ${walked.message}`,
      });
    }
  })
  .meta({
    description:
      'A config path the tuner must not change, e.g. "executor.memory", "sparkConf.spark.sql.shuffle.partitions".',
    examples: ['executor.memory', 'sparkConf.spark.sql.shuffle.partitions'],
  });

/** The JSON pointer of a valid pin path ("executor.memory" -> "/executor/memory"). */
export function pinPointer(path: string): string {
  const walked = walk(path);
  return pointer(walked.ok ? walked.path : path.split('.'));
}

/** True when a pointer is a pinned one or lies under one. */
export function underPins(pins: readonly string[], ptr: string): boolean {
  return pins.some((pin) => ptr === pin || ptr.startsWith(`${pin}/`));
}
