/**
 * How deep a JSON text nests, counted without parsing it: a body nested thousands of levels deep
 * would overflow the stack of whatever walks it later (validation, error messages), so it is
 * refused before it is parsed.
 */

/** Deeper than any config needs (a Kubernetes affinity nests about ten levels). */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of objects and arrays in `text`, brackets inside strings not counted. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
