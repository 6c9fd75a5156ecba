// The worker's end of the IPC channel: asks with ids and a timeout, one-way reports, events from the primary.
import type {
  AskKind,
  AskOf,
  ReplyOf,
  StateEvent,
  StateAsk,
  StateReport,
  StateTransport,
} from '../shared/state-protocol.js';
import type { PrimaryMessage, WorkerMessage } from './messages.js';

/** An answer later than this is given up on: the caller decides locally (the primary is stuck or gone). */
export const ASK_TIMEOUT_MS = 1000;

interface Pending {
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** What the channel needs of `process` (a parameter so tests can pair two ends in memory). */
export interface ChannelPort {
  readonly connected: boolean;
  send(message: WorkerMessage, callback: (error: Error | null) => void): void;
}

export class WorkerChannel implements StateTransport {
  readonly pid: number;
  readonly #port: ChannelPort;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #listener: (event: StateEvent) => void = () => undefined;

  constructor(port: ChannelPort, pid: number, timeoutMs = ASK_TIMEOUT_MS) {
    this.#port = port;
    this.pid = pid;
    this.#timeoutMs = timeoutMs;
  }

  ask<K extends AskKind>(ask: AskOf<K>): Promise<ReplyOf<K>> {
    if (!this.#port.connected) return Promise.reject(new Error('no IPC channel to the primary'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`the primary did not answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(id, { resolve: resolve as (reply: unknown) => void, reject, timer });
      // AskOf<K> for a generic K is one member of the StateAsk union; TypeScript cannot see it.
      const message: WorkerMessage = { type: 'porta:ask', id, ask: ask as unknown as StateAsk };
      this.#port.send(message, (error) => {
        if (error !== null) this.#settle(id, null, error);
      });
    });
  }

  report(report: StateReport): void {
    if (!this.#port.connected) return;
    this.#port.send({ type: 'porta:report', report }, () => undefined);
  }

  listen(listener: (event: StateEvent) => void): void {
    this.#listener = listener;
  }

  /** Feeds a message from the primary in (the worker's one 'message' dispatcher calls this). */
  receive(message: PrimaryMessage): void {
    if (message.type === 'porta:reply') this.#settle(message.id, message.reply, null);
    else if (message.type === 'porta:event') this.#listener(message.event);
  }

  /** The channel closed: every question still open fails now, not at its timeout. */
  close(): void {
    for (const id of [...this.#pending.keys()]) {
      this.#settle(id, null, new Error('the IPC channel to the primary closed'));
    }
  }

  #settle(id: number, reply: unknown, error: Error | null): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (error === null) pending.resolve(reply);
    else pending.reject(error);
  }
}
