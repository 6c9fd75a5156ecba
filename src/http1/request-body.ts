// A request body as a Readable: bytes the parser hands over, with backpressure back to the socket.
import { Readable } from 'node:stream';

/** What the body needs from its connection: more bytes, please. */
export interface BodySource {
  onBodyWanted(): void;
}

/**
 * A body the client cut short, or one the handler answered without reading, ends with an error
 * (PORTA_CLIENT_ABORTED). Readers that care (a proxy, `for await`) see it through their own
 * listeners; this one only keeps an error nobody listens for from being thrown by Node's
 * EventEmitter, which would take the whole process down.
 */
function ignoreUnreadError(): void {
  // Nothing to do: the connection has already decided what to tell the client.
}

export class RequestBody extends Readable {
  readonly #source: BodySource;

  constructor(source: BodySource) {
    super({ highWaterMark: 64 * 1024 });
    this.#source = source;
    this.on('error', ignoreUnreadError);
  }

  override _read(): void {
    this.#source.onBodyWanted();
  }
}
