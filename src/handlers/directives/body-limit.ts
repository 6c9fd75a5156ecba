// The max_body_size directive: a route's cap on the request body, 413 (RFC 9110 §15.5.14) beyond it.
import type { Exchange, Handler } from '../../http/exchange.js';

class BodyLimit implements Handler {
  readonly #next: Handler;
  readonly #maxBytes: number;

  constructor(maxBytes: number, next: Handler) {
    this.#next = next;
    this.#maxBytes = maxBytes;
  }

  handle(exchange: Exchange): void | Promise<void> {
    // A declared Content-Length over the cap is refused before the handler runs; a chunked body
    // is counted by the engine as it arrives, and the 413 (or an abort, if the response has
    // started) comes when it crosses the cap.
    if (exchange.hasBody && !exchange.limitRequestBody(this.#maxBytes)) return;
    return this.#next.handle(exchange);
  }
}

/** Wraps `next` so that request bodies over `maxBytes` are refused with 413. */
export function createBodyLimit(maxBytes: number, next: Handler): Handler {
  return new BodyLimit(maxBytes, next);
}
