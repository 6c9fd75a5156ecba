// Decodes a chunked request body (RFC 9112 §7.1) incrementally, byte state kept between reads.
import { CR, FIELD_VALUE, HEX, HTAB, LF, SP } from './chars.js';

const SEMICOLON = 0x3b;
import { ParseError } from './parse-error.js';

const enum State {
  Size,
  SizeSpace,
  Extension,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerLineStart,
  TrailerLine,
  TrailerLf,
  FinalLf,
  Done,
}

/** Receives decoded body bytes. */
export interface ChunkSink {
  onBody(chunk: Buffer): void;
}

/** Largest chunk-size we accept: 2^48 - 1 (12 hex digits), far beyond any body limit, exact in a double. */
const MAX_SIZE_DIGITS = 12;
/** Longest chunk-ext we accept on one chunk; extensions are ignored (RFC 9112 §7.1.1). */
const MAX_EXTENSION = 4096;

export class ChunkedDecoder {
  #state = State.Size;
  #remaining = 0;
  #digits = 0;
  #extension = 0;
  #trailerBytes = 0;
  #total = 0;
  #maxBody: number;
  #maxTrailer: number;

  constructor(maxBody: number, maxTrailer: number) {
    this.#maxBody = maxBody;
    this.#maxTrailer = maxTrailer;
  }

  get done(): boolean {
    return this.#state === State.Done;
  }

  /**
   * Decodes buf[start, end). Returns the offset where decoding stopped (end, or just past the
   * final CRLF when the body ended), or a ParseError. `shouldStop` is polled after each delivered
   * piece so the caller can pause.
   */
  decode(
    buf: Buffer,
    start: number,
    end: number,
    sink: ChunkSink,
    shouldStop: () => boolean,
  ): number | ParseError {
    let i = start;
    while (i < end) {
      const c = buf[i] as number;
      switch (this.#state) {
        case State.Size: {
          const digit = HEX[c] as number;
          if (digit !== 255) {
            if (++this.#digits > MAX_SIZE_DIGITS)
              return new ParseError(400, 'chunk size too large');
            this.#remaining = this.#remaining * 16 + digit;
            i++;
            break;
          }
          if (this.#digits === 0) return new ParseError(400, 'missing chunk size');
          if (c === CR) this.#state = State.SizeLf;
          else if (c === SEMICOLON) this.#state = State.Extension;
          else if (c === SP || c === HTAB) this.#state = State.SizeSpace;
          else return new ParseError(400, 'invalid chunk size');
          i++;
          break;
        }
        case State.SizeSpace:
          // RFC 9112 §7.1.1: only BWS may stand between the size and ";" of an extension.
          if (c === CR) this.#state = State.SizeLf;
          else if (c === SEMICOLON) this.#state = State.Extension;
          else if (c !== SP && c !== HTAB) return new ParseError(400, 'invalid chunk size line');
          i++;
          break;
        case State.Extension:
          if (c === CR) this.#state = State.SizeLf;
          else if (FIELD_VALUE[c] !== 1) return new ParseError(400, 'invalid chunk extension');
          else if (++this.#extension > MAX_EXTENSION) {
            return new ParseError(400, 'chunk extension too long');
          }
          i++;
          break;
        case State.SizeLf:
          if (c !== LF) return new ParseError(400, 'chunk size line not ended by CRLF');
          i++;
          this.#total += this.#remaining;
          if (this.#maxBody > 0 && this.#total > this.#maxBody) {
            return new ParseError(413, `chunked body exceeds the limit of ${this.#maxBody}`);
          }
          this.#digits = 0;
          this.#extension = 0;
          this.#state = this.#remaining === 0 ? State.TrailerLineStart : State.Data;
          break;
        case State.Data: {
          const take = Math.min(this.#remaining, end - i);
          this.#remaining -= take;
          const from = i;
          i += take;
          if (this.#remaining === 0) this.#state = State.DataCr;
          sink.onBody(buf.subarray(from, i));
          if (shouldStop()) return i;
          break;
        }
        case State.DataCr:
          if (c !== CR) return new ParseError(400, 'chunk data not followed by CRLF');
          this.#state = State.DataLf;
          i++;
          break;
        case State.DataLf:
          if (c !== LF) return new ParseError(400, 'chunk data not followed by CRLF');
          this.#state = State.Size;
          i++;
          break;
        case State.TrailerLineStart:
          // RFC 9112 §7.1.2: trailer fields end with an empty line; we read and drop them.
          if (c === CR) {
            this.#state = State.FinalLf;
            i++;
          } else {
            this.#state = State.TrailerLine;
          }
          break;
        case State.TrailerLine:
          if (c === CR) this.#state = State.TrailerLf;
          else if (FIELD_VALUE[c] !== 1) return new ParseError(400, 'invalid trailer field');
          if (++this.#trailerBytes > this.#maxTrailer) {
            return new ParseError(431, 'trailer section too large');
          }
          i++;
          break;
        case State.TrailerLf:
          if (c !== LF) return new ParseError(400, 'trailer line not ended by CRLF');
          this.#state = State.TrailerLineStart;
          i++;
          break;
        case State.FinalLf:
          if (c !== LF) return new ParseError(400, 'chunked body not ended by CRLF');
          this.#state = State.Done;
          return i + 1;
        case State.Done:
          return i;
      }
    }
    return i;
  }
}
