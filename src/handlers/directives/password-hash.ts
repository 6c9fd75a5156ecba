// Password hashes for basic_auth: scrypt from node:crypto in the text form "scrypt$N$r$p$salt$hash".
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** A parsed password hash: scrypt cost parameters, salt and derived key. */
export interface PasswordHash {
  /** CPU/memory cost, a power of two. */
  readonly n: number;
  /** Block size. */
  readonly r: number;
  /** Parallelisation. */
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

/** Defaults of `porta hash-password` (OWASP-like): 16 MiB and some 50-100 ms per check on one core. */
export const DEFAULT_COST = { n: 16_384, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The format, for messages and docs. */
export const HASH_FORMAT = 'scrypt$N$r$p$salt$hash (salt and hash in base64)';

/** Parses "scrypt$16384$8$1$<salt>$<hash>"; throws an Error saying what is wrong. */
export function parsePasswordHash(text: string): PasswordHash {
  const parts = text.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    // Never echo the value: it may be a password pasted where its hash belongs.
    throw new Error(
      `expected a hash like ${HASH_FORMAT}, got something else (make one with \`porta hash-password\`)`,
    );
  }
  const [, nText, rText, pText, saltText, keyText] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const n = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  // Bounds keep a typo from asking for gigabytes of memory per login.
  if (!Number.isInteger(n) || n < 2 || n > 2 ** 20 || (n & (n - 1)) !== 0) {
    throw new Error(`scrypt N must be a power of two from 2 to 1048576, got "${nText}"`);
  }
  if (!Number.isInteger(r) || r < 1 || r > 32) {
    throw new Error(`scrypt r must be 1 to 32, got "${rText}"`);
  }
  if (!Number.isInteger(p) || p < 1 || p > 16) {
    throw new Error(`scrypt p must be 1 to 16, got "${pText}"`);
  }
  if (!BASE64.test(saltText) || !BASE64.test(keyText)) {
    throw new Error('salt and hash must be base64');
  }
  const salt = Buffer.from(saltText, 'base64');
  const key = Buffer.from(keyText, 'base64');
  if (salt.length < 8) throw new Error('the salt must be at least 8 bytes');
  if (key.length < 16 || key.length > 64) throw new Error('the hash must be 16 to 64 bytes');
  return { n, r, p, salt, key };
}

function derive(
  password: string | Buffer,
  salt: Buffer,
  length: number,
  cost: { readonly n: number; readonly r: number; readonly p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // scrypt needs 128 * N * r bytes per lane; the default 32 MiB cap is too low for N = 2^15.
    const maxmem = 128 * cost.n * cost.r * cost.p + 16 * 1024 * 1024;
    scrypt(password, salt, length, { N: cost.n, r: cost.r, p: cost.p, maxmem }, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

/** Hashes a password with a fresh random salt (in the libuv thread pool, not the event loop). */
export async function hashPassword(
  password: string,
  cost: { readonly n: number; readonly r: number; readonly p: number } = DEFAULT_COST,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, cost);
  return `scrypt$${cost.n}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `password` matches `hash`; the comparison takes the same time wherever they differ. */
export async function verifyPassword(
  password: string | Buffer,
  hash: PasswordHash,
): Promise<boolean> {
  const key = await derive(password, hash.salt, hash.key.length, hash);
  return timingSafeEqual(key, hash.key);
}
