// The messages a cluster primary and its workers exchange over IPC.
import type { ConfigInput } from '../config/schema.js';
import type { PortaErrorCode } from '../errors.js';

/** Environment variables a worker is forked with: its number and its config (JSON). */
export const WORKER_INDEX_ENV = 'PORTA_WORKER';
export const WORKER_CONFIG_ENV = 'PORTA_WORKER_CONFIG';

/** Primary to worker. */
export type PrimaryMessage = {
  readonly type: 'porta:shutdown';
  /** A new generation already serves (rolling reload): hand idle connections over gently. */
  readonly handOver: boolean;
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
    };

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'porta:shutdown'
  );
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
