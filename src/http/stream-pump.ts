// Streams a Readable into a response with backpressure: the same loop for every engine's sendStream.

/** The response side a pump writes to (an engine's exchange). */
export interface PumpSink {
  /** False means wait for drained(). */
  write(chunk: Buffer): boolean;
  drained(): Promise<void>;
  end(): void;
  abort(error?: Error): void;
}

/**
 * Writes `stream` into `sink`, pausing it while the client is slow; ends the response at the
 * stream's end, aborts it on a stream error. `released` runs once the stream is done either way.
 */
export function pumpStream(
  sink: PumpSink,
  stream: NodeJS.ReadableStream & { destroy(): void },
  released: () => void,
): void {
  stream.on('data', (chunk: Buffer) => {
    if (!sink.write(chunk)) {
      stream.pause();
      void sink.drained().then(() => stream.resume());
    }
  });
  stream.once('end', () => {
    released();
    sink.end();
  });
  stream.once('error', (error: Error) => {
    released();
    sink.abort(error);
  });
}
