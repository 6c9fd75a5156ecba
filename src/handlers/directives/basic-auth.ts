// The basic_auth directive (RFC 7617): user and password checked against scrypt hashes before the handler.
import { createHash } from 'node:crypto';
import type { Exchange, Handler } from '../../http/exchange.js';
import { sendError } from '../../http/error-response.js';
import { findHeader } from '../../http/request-head.js';
import { type PasswordHash, verifyPassword } from './password-hash.js';

export interface BasicAuthUser {
  readonly user: string;
  readonly hash: PasswordHash;
}

export interface BasicAuthOptions {
  /** Shown by browsers in the login prompt. */
  readonly realm: string;
  readonly users: readonly BasicAuthUser[];
  /** How long a verified Authorization field is trusted without hashing again, in ms. */
  readonly cacheMs?: number;
  /** Most password checks running at once; more get 503 with Retry-After. */
  readonly maxConcurrentChecks?: number;
}

/** A correct login is hashed again at most once a minute, not on every request. */
const CACHE_MS = 60_000;
const CACHE_ENTRIES = 1024;
/** scrypt runs in the libuv pool (4 threads by default); leave room there for file reads. */
const MAX_CHECKS = 2;
const RETRY_SOON = ['Retry-After', '1'];

class BasicAuth implements Handler {
  readonly #next: Handler;
  readonly #users: ReadonlyMap<string, PasswordHash>;
  /** Compared against when the user is unknown, so that costs the same time as a wrong password. */
  readonly #decoy: PasswordHash;
  readonly #challenge: readonly string[];
  readonly #cacheMs: number;
  readonly #maxChecks: number;
  /** SHA-256 of an Authorization field that passed, to when it expires (oldest first). */
  readonly #verified = new Map<string, number>();
  /** Checks in progress by the same key, so concurrent requests share one scrypt run. */
  readonly #pending = new Map<string, Promise<boolean>>();

  constructor(options: BasicAuthOptions, next: Handler) {
    const first = options.users[0];
    if (first === undefined) throw new Error('basic_auth needs at least one user');
    this.#next = next;
    this.#users = new Map(options.users.map((u) => [u.user, u.hash]));
    this.#decoy = { ...first.hash, salt: Buffer.alloc(first.hash.salt.length, 0x5a) };
    // RFC 7617 §2.1: the realm is a quoted-string; charset tells the client to send UTF-8.
    const realm = options.realm.replace(/["\\]/g, '\\$&');
    this.#challenge = ['WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`];
    this.#cacheMs = options.cacheMs ?? CACHE_MS;
    this.#maxChecks = options.maxConcurrentChecks ?? MAX_CHECKS;
  }

  handle(exchange: Exchange): void | Promise<void> {
    const field = findHeader(exchange.request.headers, 'authorization');
    const credentials = field === undefined ? null : basicCredentials(field);
    if (field === undefined || credentials === null) {
      this.#deny(exchange);
      return;
    }
    // The cache holds digests, not passwords.
    const key = createHash('sha256').update(field).digest('base64');
    const expires = this.#verified.get(key);
    if (expires !== undefined) {
      if (expires > Date.now()) return this.#next.handle(exchange);
      this.#verified.delete(key);
    }
    return this.#check(exchange, credentials, key);
  }

  async #check(exchange: Exchange, credentials: Buffer, key: string): Promise<void> {
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      if (this.#pending.size >= this.#maxChecks) {
        // RFC 9110 §15.6.4: too many logins being checked right now; try again shortly.
        sendError(exchange, 503, RETRY_SOON);
        return;
      }
      pending = this.#verify(credentials);
      this.#pending.set(key, pending);
      const settled = (): void => {
        this.#pending.delete(key);
      };
      pending.then(settled, settled);
    }
    const ok = await pending;
    if (exchange.closed) return;
    if (!ok) {
      this.#deny(exchange);
      return;
    }
    this.#remember(key);
    await this.#next.handle(exchange);
  }

  async #verify(credentials: Buffer): Promise<boolean> {
    // RFC 7617 §2: user-id ":" password; the user-id has no colon, the password may.
    const colon = credentials.indexOf(0x3a);
    const user = credentials.toString('utf8', 0, colon);
    const hash = this.#users.get(user);
    try {
      const ok = await verifyPassword(credentials.subarray(colon + 1), hash ?? this.#decoy);
      return ok && hash !== undefined;
    } catch {
      return false;
    }
  }

  #remember(key: string): void {
    const verified = this.#verified;
    if (verified.size >= CACHE_ENTRIES) {
      for (const oldest of verified.keys()) {
        verified.delete(oldest);
        break;
      }
    }
    verified.set(key, Date.now() + this.#cacheMs);
  }

  /** RFC 9110 §11.6.1, §15.5.2: 401 with a challenge. */
  #deny(exchange: Exchange): void {
    sendError(exchange, 401, this.#challenge);
  }
}

/** The decoded "user:password" of a Basic Authorization field, or null for another scheme. */
function basicCredentials(field: string): Buffer | null {
  // RFC 9110 §11.1: the scheme is case-insensitive; one or more spaces before the token68.
  if (field.length < 7 || field.charCodeAt(5) !== 0x20) return null;
  if (field.slice(0, 5).toLowerCase() !== 'basic') return null;
  const decoded = Buffer.from(field.slice(6).trim(), 'base64');
  return decoded.includes(0x3a) ? decoded : null;
}

/** Wraps `next` so that only the listed users reach it. */
export function createBasicAuth(options: BasicAuthOptions, next: Handler): Handler {
  return new BasicAuth(options, next);
}
