/** `--set path=value`: one config value on the command line, without loading the config schema. */
import { UsageError } from './errors';

/** Maps whose keys contain dots themselves: everything after the map's name is one key. */
const MAPS = /^(sparkConf|hadoopConf|labels)\./;

/**
 * `--set executor.memory=4g` -> { executor: { memory: "4g" } }. Integers and booleans are typed,
 * a value starting with "[" or "{" is JSON (`--set arguments='["a","b"]'`), and the values of
 * sparkConf, hadoopConf and labels keys stay strings, as Spark reads them.
 */
export function parseSetting(setting: string, into: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = setting.indexOf('=');
  if (eq <= 0)
    throw new UsageError(`--set ${JSON.stringify(setting)} is not of the form path=value, e.g. executor.memory=4g`);
  const path = setting.slice(0, eq);
  const raw = setting.slice(eq + 1);
  const inMap = MAPS.test(path);
  const keys = inMap ? [path.slice(0, path.indexOf('.')), path.slice(path.indexOf('.') + 1)] : path.split('.');
  const value = inMap ? raw : typed(setting, raw);
  let node = into;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null || Array.isArray(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
  return into;
}

function typed(setting: string, raw: string): unknown {
  if (/^-?\d+$/.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (!raw.startsWith('[') && !raw.startsWith('{')) return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    throw new UsageError(
      `--set ${JSON.stringify(setting)}: a value starting with "${raw[0]}" is read as JSON, and this is not valid JSON (${(error as Error).message})`,
    );
  }
}
