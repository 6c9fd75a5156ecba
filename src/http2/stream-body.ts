// A request body on an HTTP/2 stream as a Readable that counts bytes against the route's cap.
import { Readable } from 'node:stream';
import type { ServerHttp2Stream } from 'node:http2';

/** What the body tells its exchange: bytes arrived (false: over the cap, stop), the body ended. */
export interface StreamBodySink {
  onBodyBytes(count: number): boolean;
  onBodyEnd(): void;
}

/**
 * Reads the stream only while the handler reads this body: nghttp2's flow-control window then
 * holds the client back (backpressure), as a paused socket does for HTTP/1.1.
 */
export class StreamBody extends Readable {
  readonly #stream: ServerHttp2Stream;
  readonly #sink: StreamBodySink;
  #started = false;

  constructor(stream: ServerHttp2Stream, sink: StreamBodySink) {
    super({ highWaterMark: 64 * 1024 });
    this.#stream = stream;
    this.#sink = sink;
  }

  override _read(): void {
    const stream = this.#stream;
    if (this.#started) {
      stream.resume();
      return;
    }
    this.#started = true;
    stream.on('data', (chunk: Buffer) => {
      if (this.destroyed) return;
      if (!this.#sink.onBodyBytes(chunk.length)) {
        stream.pause();
        return;
      }
      if (!this.push(chunk)) stream.pause();
    });
    stream.once('end', () => {
      this.#sink.onBodyEnd();
      if (!this.destroyed) this.push(null);
    });
    stream.resume();
  }
}
