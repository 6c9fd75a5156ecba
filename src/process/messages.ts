// The messages a cluster primary and its workers exchange over IPC.
import type { ConfigInput } from '../config/schema.js';

/** Environment variables a worker is forked with: its number and its config (JSON). */
export const WORKER_INDEX_ENV = 'PORTA_WORKER';
export const WORKER_CONFIG_ENV = 'PORTA_WORKER_CONFIG';

/** Primary to worker. */
export type PrimaryMessage =
  | {
      readonly type: 'porta:shutdown';
      /** A new generation already serves (rolling reload): hand idle connections over gently. */
      readonly handOver: boolean;
    }
  /** SIGUSR1 reached the primary: open the log files again by their paths (logrotate). */
  | { readonly type: 'porta:reopen-logs' };

/** Worker to primary. */
export type WorkerMessage =
  | { readonly type: 'porta:ready'; readonly urls: readonly string[] }
  | { readonly type: 'porta:failed'; readonly message: string };

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'porta:shutdown' || type === 'porta:reopen-logs';
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
