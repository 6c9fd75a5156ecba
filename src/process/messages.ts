// The messages a cluster primary and its workers exchange over IPC.
import type { ConfigInput } from '../config/schema.js';

/** Environment variables a worker is forked with: its number and its config (JSON). */
export const WORKER_INDEX_ENV = 'PORTA_WORKER';
export const WORKER_CONFIG_ENV = 'PORTA_WORKER_CONFIG';
/** The TLS session ticket key (base64) every worker shares, so tickets resume on any of them. */
export const WORKER_TICKET_KEY_ENV = 'PORTA_TICKET_KEY';

/** Primary to worker. */
export type PrimaryMessage =
  | {
      readonly type: 'porta:shutdown';
      /** A new generation already serves (rolling reload): hand idle connections over gently. */
      readonly handOver: boolean;
    }
  | {
      /** The primary rotated the session ticket key (base64, 48 bytes). */
      readonly type: 'porta:ticket-key';
      readonly key: string;
    };

/** Worker to primary. */
export type WorkerMessage =
  | { readonly type: 'porta:ready'; readonly urls: readonly string[] }
  | { readonly type: 'porta:failed'; readonly message: string };

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    ((value as { type?: unknown }).type === 'porta:shutdown' ||
      ((value as { type?: unknown }).type === 'porta:ticket-key' &&
        typeof (value as { key?: unknown }).key === 'string'))
  );
}

/** The ticket key the primary forked this worker with (taken out of the environment). */
export function workerTicketKey(): Buffer | undefined {
  const text = process.env[WORKER_TICKET_KEY_ENV];
  Reflect.deleteProperty(process.env, WORKER_TICKET_KEY_ENV);
  return text === undefined ? undefined : Buffer.from(text, 'base64');
}

/** The config the primary forked this worker with. */
export function workerConfig(): ConfigInput {
  return JSON.parse(process.env[WORKER_CONFIG_ENV] ?? '{}') as ConfigInput;
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    ((value as { type?: unknown }).type === 'porta:ready' ||
      (value as { type?: unknown }).type === 'porta:failed')
  );
}
