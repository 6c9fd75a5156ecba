// Joins two sockets both ways with backpressure and half-close: the core of port forwarding and tunnels.
import type { Socket } from 'node:net';

export interface PipeOptions {
  /** Close both after this long with no byte in either direction; 0 = never. */
  readonly idleTimeoutMs: number;
  /** Running totals to add to as bytes pass (metrics): [0] a to b, [1] b to a. */
  readonly counts?: Float64Array | undefined;
}

/** No totals kept: the flows add to this and nobody reads it. */
const UNCOUNTED = new Float64Array(2);

/** How a pipe ended and what went through it. */
export interface PipeResult {
  /** Bytes read from `a` and written to `b`. */
  readonly bytesAToB: number;
  /** Bytes read from `b` and written to `a`. */
  readonly bytesBToA: number;
  /** 'done': both sides finished; 'idle': the idle timeout cut it; 'error': a reset or error on either side. */
  readonly outcome: 'done' | 'idle' | 'error';
  /** The first socket error seen, if any. */
  readonly error: Error | undefined;
}

/** One direction: from `source` to `sink`, pausing the source while the sink's buffer is full. */
class Flow {
  bytes = 0;
  readonly #source: Socket;
  readonly #sink: Socket;
  readonly #counts: Float64Array;
  readonly #slot: number;

  constructor(source: Socket, sink: Socket, counts: Float64Array, slot: number) {
    this.#source = source;
    this.#sink = sink;
    this.#counts = counts;
    this.#slot = slot;
    source.on('data', this.#onData);
    sink.on('drain', this.#onDrain);
    // Half-close (RFC 9293 §3.6): the source's FIN becomes the sink's FIN once queued bytes are out.
    source.on('end', this.#onEnd);
  }

  readonly #onData = (chunk: Buffer): void => {
    this.bytes += chunk.length;
    this.#counts[this.#slot] = (this.#counts[this.#slot] as number) + chunk.length;
    if (!this.#sink.write(chunk)) this.#source.pause();
  };

  readonly #onDrain = (): void => {
    this.#source.resume();
  };

  readonly #onEnd = (): void => {
    if (!this.#sink.destroyed) this.#sink.end();
  };
}

/**
 * Pipes `a` and `b` into each other until both directions have ended (each FIN passed on after
 * the bytes before it), either side fails (then both are destroyed), or nothing moves for
 * `idleTimeoutMs`. Both sockets should allow half-open. Write any bytes that arrived early
 * (a parser's leftover) before calling this. Resolves when both sockets have closed.
 */
export function pipeSockets(a: Socket, b: Socket, options: PipeOptions): Promise<PipeResult> {
  return new Promise<PipeResult>((resolve) => {
    const counts = options.counts ?? UNCOUNTED;
    const aToB = new Flow(a, b, counts, 0);
    const bToA = new Flow(b, a, counts, 1);
    let outcome: PipeResult['outcome'] = 'done';
    let firstError: Error | undefined;
    let open = 2;
    const onError = (error: Error): void => {
      firstError ??= error;
      outcome = outcome === 'idle' ? 'idle' : 'error';
    };
    const onClose = (closed: Socket, other: Socket) => (): void => {
      // A side that closed before the other finished sending to it: the rest has nowhere to go.
      if (!other.destroyed && (!other.readableEnded || !closed.readableEnded)) {
        if (outcome === 'done' && !closed.readableEnded) outcome = 'error';
        other.destroy();
      }
      if (--open === 0) {
        resolve({ bytesAToB: aToB.bytes, bytesBToA: bToA.bytes, outcome, error: firstError });
      }
    };
    a.on('error', onError);
    b.on('error', onError);
    a.once('close', onClose(a, b));
    b.once('close', onClose(b, a));
    if (options.idleTimeoutMs > 0) {
      // Traffic either way is a read or a write on `a`, so its timer alone sees all activity.
      a.setTimeout(options.idleTimeoutMs, () => {
        outcome = 'idle';
        a.destroy();
        b.destroy();
      });
    }
    if (a.destroyed || b.destroyed) {
      a.destroy();
      b.destroy();
    }
    a.resume();
    b.resume();
  });
}
