// The messages a cluster primary and its workers exchange over IPC: one union each way.
import type { Config } from '../config/schema.js';
import type { LogNote } from './config-source.js';
import { PortaError, type PortaErrorCode, isPortaError } from '../errors.js';
import type { Snapshot } from '../metrics/snapshot.js';
import type { StateAsk, StateEvent, StateReport } from '../shared/state-protocol.js';

/** Environment variables a worker is forked with: its number and its config (JSON). */
export const WORKER_INDEX_ENV = 'PORTA_WORKER';
export const WORKER_CONFIG_ENV = 'PORTA_WORKER_CONFIG';
/** How many workers the primary runs: each keeps its share of the server-wide connection cap. */
export const WORKER_COUNT_ENV = 'PORTA_WORKERS';
/** The TLS session ticket key (base64) every worker shares, so tickets resume on any of them. */
export const WORKER_TICKET_KEY_ENV = 'PORTA_TICKET_KEY';

/** Primary to worker. */
export type PrimaryMessage =
  | {
      readonly type: 'porta:shutdown';
      /** A new generation already serves (rolling reload): hand idle connections over gently. */
      readonly handOver: boolean;
    }
  /** The answer to a worker's `porta:ask` with the same id. */
  | { readonly type: 'porta:reply'; readonly id: number; readonly reply: unknown }
  /** The primary's scrape: answer with a `porta:metrics` of the same id. */
  | { readonly type: 'porta:metrics-ask'; readonly id: number }
  /** Server-wide state changed (sent to every worker), or a role for this one. */
  | { readonly type: 'porta:event'; readonly event: StateEvent }
  /** SIGUSR1 reached the primary: open the log files again by their paths (logrotate). */
  | { readonly type: 'porta:reopen-logs' }
  | {
      /** The primary rotated the session ticket key (base64, 48 bytes). */
      readonly type: 'porta:ticket-key';
      readonly key: string;
    };

/** Worker to primary. */
export type WorkerMessage =
  | { readonly type: 'porta:ready'; readonly urls: readonly string[] }
  | {
      readonly type: 'porta:failed';
      readonly message: string;
      /** A PortaError's code, so the primary fails with the same message and exit code. */
      readonly code: PortaErrorCode | null;
      /** Any other error's stack: the primary reports it as unexpected, like one process would. */
      readonly stack: string | null;
    }
  /** A question about server-wide state; answered by a `porta:reply` with the same id. */
  | { readonly type: 'porta:ask'; readonly id: number; readonly ask: StateAsk }
  | { readonly type: 'porta:report'; readonly report: StateReport }
  /** After `porta:shutdown`: this worker accepts no new connection (it drains the open ones). */
  | { readonly type: 'porta:stopped-accepting' }
  /** This worker's counters, for the primary's one view of the server. */
  | { readonly type: 'porta:metrics'; readonly id: number; readonly series: Snapshot }
  /** A config check child's answer (config-check.ts): the config validated, defaults filled in. */
  | {
      readonly type: 'porta:checked';
      readonly config: Config;
      readonly pidFile: string | null;
      readonly notes: readonly LogNote[];
    };

export type FailureMessage = Extract<WorkerMessage, { type: 'porta:failed' }>;

/** An error as a message: a PortaError keeps its code, anything else its stack. */
export function failureOf(error: unknown): FailureMessage {
  return {
    type: 'porta:failed',
    message: error instanceof Error ? error.message : String(error),
    code: isPortaError(error) ? error.code : null,
    stack: !isPortaError(error) && error instanceof Error ? (error.stack ?? null) : null,
  };
}

/**
 * The error another process failed with, as this process would have thrown it: a PortaError
 * keeps its code (so its message and exit code are the single-process ones), anything else
 * keeps its stack (reported as unexpected, as it would be in one process).
 */
export function errorFromFailure(message: FailureMessage): Error {
  if (message.code !== null) return new PortaError(message.code, message.message);
  const error = new Error(message.message);
  if (message.stack !== null) error.stack = message.stack;
  return error;
}

const PRIMARY_TYPES: ReadonlySet<unknown> = new Set([
  'porta:shutdown',
  'porta:reopen-logs',
  'porta:ticket-key',
  'porta:reply',
  'porta:event',
  'porta:metrics-ask',
]);
const WORKER_TYPES: ReadonlySet<unknown> = new Set([
  'porta:ready',
  'porta:failed',
  'porta:ask',
  'porta:report',
  'porta:stopped-accepting',
  'porta:metrics',
  'porta:checked',
]);

function typeOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : null;
}

/** Messages come from our own processes; the type tag is all that is checked. */
export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  return PRIMARY_TYPES.has(typeOf(value));
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return WORKER_TYPES.has(typeOf(value));
}

/** How many workers serve beside this one (itself included); 1 when not told. */
export function workerCount(): number {
  const count = Number(process.env[WORKER_COUNT_ENV]);
  return Number.isInteger(count) && count >= 1 ? count : 1;
}

/** The ticket key the primary forked this worker with (taken out of the environment). */
export function workerTicketKey(): Buffer | undefined {
  const text = process.env[WORKER_TICKET_KEY_ENV];
  Reflect.deleteProperty(process.env, WORKER_TICKET_KEY_ENV);
  return text === undefined ? undefined : Buffer.from(text, 'base64');
}

/**
 * The config the primary forked this worker with: validated (by its check child), defaults filled
 * in. Taken out of the environment, as the ticket key is: a process an app spawns inherits the
 * environment, and the config may hold secrets (password hashes, upstream headers).
 */
export function workerConfig(): Config {
  const text = process.env[WORKER_CONFIG_ENV];
  Reflect.deleteProperty(process.env, WORKER_CONFIG_ENV);
  return JSON.parse(text ?? '{}') as Config;
}
