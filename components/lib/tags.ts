/**
 * Tags every resource carries, so its cost can be attributed to an environment, an owner and a
 * cost centre, and a resource left behind on destroy can be traced to its stack.
 */

export interface StackTags {
  /** e.g. "dev", "staging", "prod" */
  environment: string;
  /** Team or person answerable for the resources. */
  owner: string;
  costCenter: string;
  /** Further tags, e.g. { project: "analytics" }. @default {} */
  extra?: Record<string, string>;
}

/** AWS tag keys and values allow letters, digits, spaces and `_ . : / = + - @`, 128/256 chars. */
const TAG_KEY = /^[\p{L}\p{N}\s_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{N}\s_.:/=+\-@]{0,256}$/u;

/** The flat tag map, with the stack's identity under `sparkplane:*` keys. */
export function resourceTags(tags: StackTags, stack: string): Record<string, string> {
  const all: Record<string, string> = {
    ...tags.extra,
    environment: tags.environment,
    owner: tags.owner,
    'cost-center': tags.costCenter,
    'sparkplane:stack': stack,
    'managed-by': 'pulumi',
  };
  for (const [key, value] of Object.entries(all)) {
    if (!TAG_KEY.test(key))
      throw new Error(
        `tags: key ${JSON.stringify(key)} is not an AWS tag key (1-128 letters, digits, spaces, _.:/=+-@)`,
      );
    if (!TAG_VALUE.test(value))
      throw new Error(
        `tags.${key}: ${JSON.stringify(value)} is not an AWS tag value (0-256 letters, digits, spaces, _.:/=+-@)`,
      );
  }
  return all;
}
