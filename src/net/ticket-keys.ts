// Session ticket keys: one 48-byte key shared by every worker so a ticket from one resumes on another.
import { nodeCrypto } from '../lazy-builtins.js';

/** Node takes 48 bytes: a 16-byte name, a 16-byte HMAC secret and a 16-byte AES key. */
export const TICKET_KEY_BYTES = 48;

export function createTicketKey(): Buffer {
  return nodeCrypto().randomBytes(TICKET_KEY_BYTES);
}

/**
 * The current key and who wants to hear of the next. The primary (or a single process) owns
 * rotation; workers get the key at fork and each rotation as a message (src/process/).
 */
export class TicketKeys {
  /** Made on first use when not given: a server without TLS never needs one (nor node:crypto). */
  #current: Buffer | undefined;
  readonly #listeners = new Set<(key: Buffer) => void>();

  constructor(key?: Buffer) {
    if (key !== undefined) this.#current = checked(key);
  }

  get current(): Buffer {
    this.#current ??= createTicketKey();
    return this.#current;
  }

  set(key: Buffer): void {
    this.#current = checked(key);
    for (const listener of this.#listeners) listener(this.#current);
  }

  /** Returns the unsubscribe function. */
  onChange(listener: (key: Buffer) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

function checked(key: Buffer): Buffer {
  if (key.length !== TICKET_KEY_BYTES) {
    throw new RangeError(`a session ticket key has ${TICKET_KEY_BYTES} bytes, got ${key.length}`);
  }
  return key;
}

/** How often the key changes: tickets older than this make a full handshake (a fresh key bounds what a stolen one decrypts). */
export const TICKET_ROTATION_MS = 12 * 60 * 60 * 1000;

/** Replaces the key every `everyMs`; returns the function that stops it. */
export function rotateTicketKeys(keys: TicketKeys, everyMs = TICKET_ROTATION_MS): () => void {
  const timer = setInterval(() => {
    keys.set(createTicketKey());
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
