// Makes a file's brotli or gzip variant once: compressed whole and kept when cached, else compressed while streaming.
import { Coding, compressBuffer } from '../../http/compression.js';
import { codedEtag } from './etag.js';
import {
  createCodedVariant,
  type FileRepresentation,
  type HeaderPolicy,
  type Variant,
} from './representation.js';

/** Where a one-off compression reports: bytes the cache now holds, and failures. */
export interface CodingSink {
  grew(bytes: number): void;
  failed(message: string): void;
}

/**
 * The coded variant of a file, made once and stored on the representation. A cached body is
 * compressed whole off the event loop (concurrent requests share the work); when that does not
 * make it smaller the coding is dropped and null comes back (send the identity). A file too big
 * to cache gets a streaming variant (length unknown, compressed per response).
 */
export function makeCodedVariant(
  representation: FileRepresentation,
  coding: Coding.Brotli | Coding.Gzip,
  policy: HeaderPolicy,
  sink: CodingSink,
): Promise<Variant | null> {
  const facts = representation.facts;
  const etag = codedEtag(facts.etag, coding === Coding.Brotli ? 'br' : 'gz');
  const body = representation.identity.body;
  if (body === null) {
    const streaming = createCodedVariant(facts, policy, coding, etag, facts.path, -1, null);
    representation.setVariant(streaming);
    return Promise.resolve(streaming);
  }
  const pending =
    coding === Coding.Brotli ? representation.brotliPending : representation.gzipPending;
  if (pending !== null) return pending;
  const made = compressBuffer(coding, body).then(
    (compressed) => {
      if (compressed.length >= body.length) {
        representation.codings &= ~coding;
        return null;
      }
      const variant = createCodedVariant(
        facts,
        policy,
        coding,
        etag,
        facts.path,
        compressed.length,
        compressed,
      );
      representation.setVariant(variant);
      sink.grew(compressed.length);
      return variant;
    },
    (error: unknown) => {
      sink.failed(`static: compressing ${facts.path} failed: ${String(error)}`);
      representation.codings &= ~coding;
      return null;
    },
  );
  if (coding === Coding.Brotli) representation.brotliPending = made;
  else representation.gzipPending = made;
  return made;
}
