/** The Spark Connect session_id of a session: a UUID derived from its application id, so nothing more is stored. */
import { createHash } from 'node:crypto';

/** A name-based UUID (version 8, RFC 9562) of the SHA-256 of the application id. */
export function sessionIdOf(appId: string): string {
  const bytes = createHash('sha256').update(`sparkplane-session:${appId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
