// A request body as a Readable: bytes the parser hands over, with backpressure back to the socket.
import { Readable } from 'node:stream';

/** What the body needs from its connection: more bytes, please. */
export interface BodySource {
  onBodyWanted(): void;
}

export class RequestBody extends Readable {
  readonly #source: BodySource;

  constructor(source: BodySource) {
    super({ highWaterMark: 64 * 1024 });
    this.#source = source;
  }

  override _read(): void {
    this.#source.onBodyWanted();
  }
}
