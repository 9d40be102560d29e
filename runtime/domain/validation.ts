/**
 * Turns zod issues into messages that name the field, the value received and what was expected,
 * e.g. `executor.memory: "8gigs" is not a Kubernetes quantity such as "8g" or "8192m"`.
 */
import type { z } from 'zod';
import { DomainError, type FieldIssue } from './errors';

type Issue = z.core.$ZodIssue;

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(key))) out += out ? `.${String(key)}` : String(key);
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(body)';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean (true or false)',
  object: 'an object',
  array: 'an array',
  record: 'an object',
};

function reason(issue: Issue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `is required: expected ${ARTICLE[issue.expected] ?? issue.expected}`;
      return `${show(value)} is not ${ARTICLE[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `${show(value)} is not one of ${issue.values.map((v) => show(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => show(k)).join(', ')}`;
    case 'too_small':
      return `${show(value)} is too small: expected ${issue.origin === 'array' || issue.origin === 'string' ? 'length ' : ''}${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}`;
    case 'too_big':
      return `${show(value)} is too big: expected ${issue.origin === 'array' || issue.origin === 'string' ? 'length ' : ''}${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}`;
    case 'invalid_union': {
      if (!issue.message.startsWith('Invalid input')) return `${show(value)} ${issue.message}`;
      // one value or a list of them (repeatable query parameters): say which values are accepted
      const choices = issue.errors.flat().find((inner) => inner.code === 'invalid_value');
      if (choices?.code === 'invalid_value') return reason(choices, value);
      return `${show(value)} matches none of the accepted forms`;
    }
    case 'custom':
    case 'invalid_format':
      return issue.message.startsWith('is ') || issue.message.startsWith('must ')
        ? `${show(value)} ${issue.message}`
        : issue.message;
    default:
      return `${show(value)}: ${issue.message}`;
  }
}

/** The issues of a failed parse as field paths and messages. */
export function describeIssues(error: z.ZodError, input: unknown, prefix: readonly PropertyKey[] = []): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path];
    const value = valueAt(input, issue.path);
    const field = formatPath(path);
    return { path: field, message: `${field}: ${reason(issue, value)}` };
  });
}

/** Parses `input` or throws a VALIDATION_FAILED DomainError listing every issue. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = describeIssues(result.error, input, prefix);
  throw new DomainError('VALIDATION_FAILED', issues.map((i) => i.message).join('; '), issues);
}
