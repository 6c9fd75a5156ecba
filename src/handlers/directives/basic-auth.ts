// The basic_auth directive (RFC 7617): user and password checked against scrypt hashes; clients that keep failing are refused.
import { createHash } from 'node:crypto';
import type { Exchange, Handler } from '../../http/exchange.js';
import { sendError } from '../../http/error-response.js';
import { findHeader } from '../../http/request-head.js';
import { escapeLogValue } from '../../log/access-log.js';
import { type LoginGuard, createLocalSharedState } from '../../shared/shared-state.js';
import type { DirectiveContext } from './directive-context.js';
import { type PasswordHash, verifyPassword } from './password-hash.js';

export interface BasicAuthUser {
  readonly user: string;
  readonly hash: PasswordHash;
}

export interface BasicAuthOptions {
  /** Shown by browsers in the login prompt. */
  readonly realm: string;
  readonly users: readonly BasicAuthUser[];
  /** Failed logins from one client address (server-wide) that refuse it with 429... */
  readonly maxFailures: number;
  /** ...counted within this window, and refused for as long (ms). */
  readonly lockoutMs: number;
  /** How long a verified Authorization field is trusted without hashing again, in ms. */
  readonly cacheMs?: number;
  /** Most password checks running at once; the rest wait their turn (up to a queue's worth). */
  readonly maxConcurrentChecks?: number;
}

/** A correct login is hashed again at most once a minute, not on every request. */
const CACHE_MS = 60_000;
const CACHE_ENTRIES = 1024;
/** scrypt runs in the libuv pool (4 threads by default); leave room there for file reads. */
const MAX_CHECKS = 2;
/** Checks waiting beyond this get 503: an overload guard, not a lockout (failures refuse per client). */
const MAX_WAITING = 256;
const RETRY_SOON = ['Retry-After', '1'];

/** Why a login failed, for the log line. */
const enum Failure {
  None,
  UnknownUser,
  WrongPassword,
}

class BasicAuth implements Handler {
  readonly #next: Handler;
  readonly #users: ReadonlyMap<string, PasswordHash>;
  /** Compared against when the user is unknown, so that costs the same time as a wrong password. */
  readonly #decoy: PasswordHash;
  readonly #challenge: readonly string[];
  readonly #cacheMs: number;
  readonly #maxChecks: number;
  readonly #guard: LoginGuard;
  readonly #context: DirectiveContext;
  /** SHA-256 of an Authorization field that passed, to when it expires (oldest first). */
  readonly #verified = new Map<string, number>();
  /** Checks in progress by the same key, so concurrent requests share one scrypt run. */
  readonly #pending = new Map<string, Promise<Failure>>();
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(options: BasicAuthOptions, next: Handler, context: DirectiveContext) {
    const first = options.users[0];
    if (first === undefined) throw new Error('basic_auth needs at least one user');
    this.#next = next;
    this.#context = context;
    this.#users = new Map(options.users.map((u) => [u.user, u.hash]));
    this.#decoy = { ...first.hash, salt: Buffer.alloc(first.hash.salt.length, 0x5a) };
    // RFC 7617 §2.1: the realm is a quoted-string; charset tells the client to send UTF-8.
    const realm = options.realm.replace(/["\\]/g, '\\$&');
    this.#challenge = ['WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`];
    this.#cacheMs = options.cacheMs ?? CACHE_MS;
    this.#maxChecks = options.maxConcurrentChecks ?? MAX_CHECKS;
    const { maxFailures, lockoutMs } = options;
    // One zone per limit, not per route: a client failing on any route counts everywhere.
    this.#guard = context.shared.loginGuard(
      { id: `logins ${maxFailures}/${lockoutMs}`, maxFailures, windowMs: lockoutMs },
      (block) => {
        context.logger.warning(
          `Client ${block.key} refused for ${Math.round(lockoutMs / 1000)} s after ` +
            `${maxFailures} failed login(s)`,
        );
      },
    );
  }

  handle(exchange: Exchange): void | Promise<void> {
    const field = findHeader(exchange.request.headers, 'authorization');
    const credentials = field === undefined ? null : basicCredentials(field);
    if (field === undefined || credentials === null) {
      this.#deny(exchange);
      return;
    }
    // RFC 7617 §2: user-id ":" password; the user-id has no colon, the password may.
    const colon = credentials.indexOf(0x3a);
    const user = credentials.toString('utf8', 0, colon);
    exchange.setRemoteUser(user); // the access log's $remote_user, as nginx sets it: tried or not
    const refusedMs = this.#guard.refusedMs(exchange.remoteAddress, Date.now());
    if (refusedMs > 0) {
      // RFC 6585 §4: too many failed logins from this client; the others are not affected.
      sendError(exchange, 429, ['Retry-After', String(Math.ceil(refusedMs / 1000))]);
      return;
    }
    // The cache holds digests, not passwords.
    const key = createHash('sha256').update(field).digest('base64');
    const expires = this.#verified.get(key);
    if (expires !== undefined) {
      if (expires > Date.now()) return this.#next.handle(exchange);
      this.#verified.delete(key);
    }
    return this.#check(exchange, user, credentials.subarray(colon + 1), key);
  }

  async #check(exchange: Exchange, user: string, password: Buffer, key: string): Promise<void> {
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      if (this.#running >= this.#maxChecks && this.#waiting.length >= MAX_WAITING) {
        // RFC 9110 §15.6.4: too many logins being checked right now; try again shortly.
        sendError(exchange, 503, RETRY_SOON);
        return;
      }
      pending = this.#verify(user, password);
      this.#pending.set(key, pending);
      const settled = (): void => {
        this.#pending.delete(key);
      };
      pending.then(settled, settled);
    }
    const failure = await pending;
    if (exchange.closed) return;
    if (failure !== Failure.None) {
      this.#context.logger.warning(
        `Failed login for user "${escapeLogValue(user)}" from ${exchange.remoteAddress} on ` +
          `route ${exchange.routePath}: ${failure === Failure.UnknownUser ? 'unknown user' : 'wrong password'}`,
      );
      this.#guard.failed(exchange.remoteAddress); // after the line: a refusal is logged after it
      this.#deny(exchange);
      return;
    }
    this.#remember(key);
    await this.#next.handle(exchange);
  }

  /** Runs one scrypt comparison when a slot is free (at most `maxChecks` at once). */
  async #verify(user: string, password: Buffer): Promise<Failure> {
    if (this.#running >= this.#maxChecks) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#running++;
    const hash = this.#users.get(user);
    try {
      const ok = await verifyPassword(password, hash ?? this.#decoy);
      return hash === undefined ? Failure.UnknownUser : ok ? Failure.None : Failure.WrongPassword;
    } catch {
      return Failure.WrongPassword;
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
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

/** Wraps `next` so that only the listed users reach it; clients failing too often get 429. */
export function createBasicAuth(
  options: BasicAuthOptions,
  next: Handler,
  context?: DirectiveContext,
): Handler {
  return new BasicAuth(options, next, {
    shared: context?.shared ?? createLocalSharedState({ warn: () => undefined }),
    routeId: context?.routeId ?? '/',
    logger: context?.logger ?? { warning: () => undefined },
  });
}
