// The body of a request that has none, for every engine.
import { Readable } from 'node:stream';

/** A stream that ends at once. */
export function emptyBody(): Readable {
  return Readable.from([]);
}
