// A ParserSink that records events as case lines and checks the event grammar and limits, plus ways to feed a parser.
import assert from 'node:assert/strict';
import type { ParseError } from '../../src/http1/parse-error.js';
import { BodyKind, type RequestHead } from '../../src/http/request-head.js';
import {
  type ParserLimits,
  type ParserSink,
  RequestParser,
} from '../../src/http1/request-parser.js';
import { visible } from './case-file.js';

const enum Expect {
  Head,
  BodyOrEnd,
  Nothing,
}

/**
 * Records parser events as case lines (body chunks joined until the next other event) and notes
 * every broken rule in `violations`: events out of order, anything after an error, more header
 * fields than maxHeaders, more body bytes than the limit or the Content-Length.
 */
export class RecordingSink implements ParserSink {
  readonly lines: string[] = [];
  readonly violations: string[] = [];
  /** Set to pause the parser on every event (the paused mode). */
  parser: RequestParser | null = null;
  readonly #limits: ParserLimits;
  #body: Buffer[] = [];
  #expect = Expect.Head;
  #bodyBytes = 0;
  #contentLength = -1;

  constructor(limits: ParserLimits) {
    this.#limits = limits;
  }

  onRequestHead(head: RequestHead): void {
    if (this.#expect !== Expect.Head) this.violations.push('head out of order');
    this.#expect = Expect.BodyOrEnd;
    this.#bodyBytes = 0;
    this.#contentLength = head.bodyKind === BodyKind.ContentLength ? head.contentLength : -1;
    const fields = head.headers.length / 2;
    if (fields > this.#limits.maxHeaders) {
      this.violations.push(`${fields} header fields over maxHeaders ${this.#limits.maxHeaders}`);
    }
    this.#checkReceived(head, fields);
    this.#event(`head ${head.method} ${head.target} HTTP/1.${head.versionMinor}`);
    const headers = head.headers;
    for (let i = 0; i < headers.length; i += 2) {
      const name = visible(Buffer.from(headers[i] as string, 'latin1'), false);
      const value = visible(Buffer.from(headers[i + 1] as string, 'latin1'), false);
      this.lines.push(value === '' ? `header ${name}:` : `header ${name}: ${value}`);
    }
    this.lines.push(
      `path ${head.path}`,
      head.query === '' ? 'query' : `query ${head.query}`,
      head.host === '' ? 'host' : `host ${visible(Buffer.from(head.host, 'latin1'), false)}`,
      `keep-alive ${head.keepAlive}`,
      `framing ${framingText(head)}`,
      `expect-continue ${head.expectContinue}`,
      head.upgrade === '' ? 'upgrade' : `upgrade ${head.upgrade}`,
    );
    this.parser?.pause();
  }

  /** The head's bytes as received: request line first, one line per field, the empty line last. */
  #checkReceived(head: RequestHead, fields: number): void {
    const received = head.received?.toString('latin1') ?? '';
    const requestLine = `${head.method} ${head.target} HTTP/1.${head.versionMinor}\r\n`;
    const lines = received.split('\r\n').length - 3; // request line, then '' twice at the end
    if (!received.startsWith(requestLine) || !received.endsWith('\r\n\r\n') || lines !== fields) {
      this.violations.push(`received head ${JSON.stringify(received)} is not the head parsed`);
    }
  }

  onBody(chunk: Buffer): void {
    if (this.#expect !== Expect.BodyOrEnd) this.violations.push('body out of order');
    this.#bodyBytes += chunk.length;
    const max = this.#limits.maxBodySize;
    if (max > 0 && this.#bodyBytes > max) {
      this.violations.push(`${this.#bodyBytes} body bytes over maxBodySize ${max}`);
    }
    if (this.#contentLength >= 0 && this.#bodyBytes > this.#contentLength) {
      this.violations.push(`${this.#bodyBytes} body bytes over Content-Length`);
    }
    // Copy: the parser hands out views of the caller's buffer.
    this.#body.push(Buffer.from(chunk));
    this.parser?.pause();
  }

  onRequestEnd(): void {
    if (this.#expect !== Expect.BodyOrEnd) this.violations.push('end out of order');
    if (this.#contentLength >= 0 && this.#bodyBytes !== this.#contentLength) {
      this.violations.push(`end after ${this.#bodyBytes} of ${this.#contentLength} body bytes`);
    }
    this.#expect = Expect.Head;
    this.#event('end');
    this.parser?.pause();
  }

  onParseError(error: ParseError): void {
    if (this.#expect === Expect.Nothing) this.violations.push('second error');
    this.#expect = Expect.Nothing;
    this.#event(`error ${error.status}`);
  }

  /** All lines, with a pending body flushed. */
  finish(): string[] {
    this.#flushBody();
    return this.lines;
  }

  #event(line: string): void {
    this.#flushBody();
    this.lines.push(line);
  }

  #flushBody(): void {
    if (this.#body.length === 0) return;
    this.lines.push(`body "${visible(Buffer.concat(this.#body), true)}"`);
    this.#body = [];
  }
}

function framingText(head: RequestHead): string {
  switch (head.bodyKind) {
    case BodyKind.None:
      return 'none';
    case BodyKind.ContentLength:
      return `length ${head.contentLength}`;
    case BodyKind.Chunked:
      return 'chunked';
  }
}

/** Feeds the pieces in order, checking what execute() returns; gives the sink back. */
export function feedPieces(pieces: readonly Buffer[], limits: ParserLimits): RecordingSink {
  const sink = new RecordingSink(limits);
  const parser = new RequestParser(sink, limits);
  for (const piece of pieces) {
    const consumed = parser.execute(piece);
    assert.ok(consumed <= piece.length, `execute() returned ${consumed} for ${piece.length} bytes`);
    if (parser.dead) {
      // A dead parser takes nothing more and says nothing more.
      const before = sink.lines.length;
      assert.equal(parser.execute(Buffer.from('GET / HTTP/1.1\r\n\r\n')), 0);
      assert.equal(sink.lines.length, before, 'a dead parser emitted events');
      break;
    }
    assert.equal(consumed, piece.length, 'execute() stopped early without a pause or an error');
  }
  assert.deepEqual(sink.violations, []);
  return sink;
}

/** Feeds the input whole, pausing on every event and resuming where the parser stopped. */
export function feedPaused(input: Buffer, limits: ParserLimits): RecordingSink {
  const sink = new RecordingSink(limits);
  const parser = new RequestParser(sink, limits);
  sink.parser = parser;
  let offset = 0;
  for (let round = 0; offset < input.length && !parser.dead; round++) {
    assert.ok(round <= input.length * 4 + 8, 'paused mode made no progress');
    const rest = input.subarray(offset);
    const consumed = parser.execute(rest);
    assert.ok(consumed <= rest.length, `execute() returned ${consumed} for ${rest.length} bytes`);
    if (consumed < rest.length) {
      assert.ok(parser.paused || parser.dead, 'execute() stopped early without a pause or an error');
    }
    offset += consumed;
    parser.resume();
  }
  assert.deepEqual(sink.violations, []);
  return sink;
}

/** Cuts input at the given offsets (any order, duplicates and out-of-range ones ignored). */
export function splitAt(input: Buffer, offsets: readonly number[]): Buffer[] {
  const cuts = [...new Set(offsets.filter((at) => at > 0 && at < input.length))].sort(
    (a, b) => a - b,
  );
  const pieces: Buffer[] = [];
  let from = 0;
  for (const at of cuts) {
    pieces.push(input.subarray(from, at));
    from = at;
  }
  pieces.push(input.subarray(from));
  return pieces;
}
