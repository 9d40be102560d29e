/** Ids the runtime makes up: time-sortable application suffixes, token ids and token secrets. */
import { randomBytes } from 'node:crypto';

export interface IdGenerator {
  /** A lowercase suffix that sorts by time, e.g. "m9x2k1ab-7f3q" (ResourceId-safe). */
  appSuffix(now: Date): string;
  /** A token id, e.g. "tok-3k9f0a1b2c". */
  tokenId(): string;
  /** A high-entropy token secret (256 bits), shown once. */
  tokenSecret(): string;
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Random bytes drawn 4 KiB at a time: one call to the system's generator per ~1000 ids. */
let pool = Buffer.alloc(0);
let used = 0;

function randomLowercase(length: number): string {
  if (used + length > pool.length) {
    pool = randomBytes(4096);
    used = 0;
  }
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[pool[used++]! % ALPHABET.length];
  return out;
}

export const randomIds: IdGenerator = {
  // base36 milliseconds keep 9 characters until the year 5188, so ids sort by submission time
  appSuffix: (now) => `${now.getTime().toString(36).padStart(9, '0')}-${randomLowercase(4)}`,
  tokenId: () => `tok-${randomLowercase(10)}`,
  tokenSecret: () => `spk_${randomBytes(32).toString('base64url')}`,
};

/** `${jobId}-${suffix}`, the job id shortened so the result stays a 63-character ResourceId. */
export function appIdFor(jobId: string, suffix: string): string {
  const room = 63 - suffix.length - 1;
  const prefix = jobId.slice(0, room).replace(/-+$/, '');
  return `${prefix}-${suffix}`;
}
