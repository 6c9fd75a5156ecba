// Properties of the HTTP/1.1 request parser: never throws, keeps its limits, and splitting never changes the events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ParserLimits } from '../src/http1/request-parser.js';
import { DEFAULT_LIMITS, normalizeEvents } from '../test/http1-cases/case-file.js';
import { feedPaused, feedPieces, splitAt } from '../test/http1-cases/recording-sink.js';
import type { GeneratedRequest } from './valid-request.js';
import { mutatedRequest, validPipeline, validRequest } from './valid-request.js';

/** The sizes a request measures against each limit (maxHeaderSize also bounds a chunked trailer). */
function measure({ bytes, trailerSize }: GeneratedRequest): ParserLimits {
  const lineEnd = bytes.indexOf('\r\n');
  const headEnd = bytes.indexOf('\r\n\r\n');
  const headerSize = headEnd === lineEnd ? 0 : headEnd + 2 - (lineEnd + 2);
  const section = bytes.toString('latin1', lineEnd + 2, headEnd + 2);
  return {
    maxRequestLine: lineEnd,
    maxHeaderSize: Math.max(headerSize, trailerSize),
    maxHeaders: section === '' ? 0 : section.split('\r\n').length - 1,
    maxBodySize: 0,
  };
}

/** Small random limits, so that generated inputs hit them often. */
const limits: fc.Arbitrary<ParserLimits> = fc.record({
  maxRequestLine: fc.integer({ min: 1, max: 120 }),
  maxHeaderSize: fc.integer({ min: 1, max: 300 }),
  maxHeaders: fc.integer({ min: 1, max: 8 }),
  maxBodySize: fc.integer({ min: 0, max: 150 }),
});

const offsets = fc.array(fc.nat({ max: 2000 }), { maxLength: 8 });

/** Event lines without the head's detail lines (only head, header, body, end, error). */
const events = (lines: readonly string[]): string[] => normalizeEvents(lines, new Set());

/** Feeds pieces and returns the events; feedPieces itself asserts the limits and the event grammar. */
const run = (pieces: readonly Buffer[], parserLimits: ParserLimits): string[] =>
  events(feedPieces(pieces, parserLimits).finish());

describe('request parser properties', () => {
  it('never throws on arbitrary bytes, however split, and returns at most its input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), offsets, limits, (bytes, cuts, lim) => {
        const input = Buffer.from(bytes);
        run(splitAt(input, cuts), lim);
        feedPaused(input, lim);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on arbitrary bytes after a valid head', () => {
    const head = fc.constantFrom(
      'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 40\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: h\r\n\r\n',
      'GET / HTTP/1.1\r\n',
    );
    fc.assert(
      fc.property(
        head,
        fc.uint8Array({ maxLength: 400 }),
        offsets,
        limits,
        (h, tail, cuts, lim) => {
          const input = Buffer.concat([Buffer.from(h), Buffer.from(tail)]);
          run(splitAt(input, cuts), { ...lim, maxRequestLine: 100, maxHeaderSize: 200 });
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never throws on mutated valid requests, and splitting does not change the outcome', () => {
    fc.assert(
      fc.property(mutatedRequest, offsets, (input, cuts) => {
        const whole = run([input], DEFAULT_LIMITS);
        assert.deepEqual(run(splitAt(input, cuts), DEFAULT_LIMITS), whole);
        assert.deepEqual(events(feedPaused(input, DEFAULT_LIMITS).finish()), whole);
      }),
      { numRuns: 3000 },
    );
  });

  it('never breaks a rule on mutated requests under small limits, however split or paused', () => {
    // feedPieces and feedPaused assert the event grammar, maxHeaders and maxBodySize.
    fc.assert(
      fc.property(mutatedRequest, offsets, limits, (input, cuts, lim) => {
        run([input], lim);
        run(splitAt(input, cuts), lim);
        feedPaused(input, lim);
      }),
      { numRuns: 3000 },
    );
  });

  it('gives mutated requests the same events under small limits however split', () => {
    fc.assert(
      fc.property(mutatedRequest, offsets, limits, (input, cuts, lim) => {
        assert.deepEqual(run(splitAt(input, cuts), lim), run([input], lim));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps its limits on valid requests with small limits, failing only with a limit status', () => {
    // feedPieces asserts: no head with more fields than maxHeaders, no body over maxBodySize.
    fc.assert(
      fc.property(validPipeline, offsets, limits, (request, cuts, lim) => {
        for (const pieces of [[request.bytes], splitAt(request.bytes, cuts)]) {
          const last = run(pieces, lim).at(-1) ?? '';
          if (last.startsWith('error')) assert.match(last, /^error (413|414|431)$/);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('parses a valid request to its events however it is split', () => {
    fc.assert(
      fc.property(validRequest, offsets, (request, cuts) => {
        const limitsForAll = { ...DEFAULT_LIMITS, maxBodySize: 0 };
        assert.deepEqual(run([request.bytes], limitsForAll), request.events);
        assert.deepEqual(run(splitAt(request.bytes, cuts), limitsForAll), request.events);
      }),
      { numRuns: 800 },
    );
  });

  it('parses a valid pipeline to its events byte by byte and paused', () => {
    fc.assert(
      fc.property(validPipeline, (request) => {
        const limitsForAll = { ...DEFAULT_LIMITS, maxBodySize: 0 };
        const bytes: Buffer[] = [];
        for (let at = 0; at < request.bytes.length; at++) {
          bytes.push(request.bytes.subarray(at, at + 1));
        }
        assert.deepEqual(run(bytes, limitsForAll), request.events);
        assert.deepEqual(events(feedPaused(request.bytes, limitsForAll).finish()), request.events);
      }),
      { numRuns: 200 },
    );
  });

  it('parses a request exactly at its limits the same however it is split', () => {
    fc.assert(
      fc.property(validRequest, fc.nat(), (request, at) => {
        const exact = measure(request);
        const lim = { ...exact, maxHeaders: Math.max(exact.maxHeaders, 1) };
        const cut = 1 + (at % Math.max(request.bytes.length - 1, 1));
        assert.deepEqual(run(splitAt(request.bytes, [cut]), lim), request.events);
      }),
      { numRuns: 2000 },
    );
  });

  it("answers a request one byte over a limit with that limit's status, however split", () => {
    const which = fc.constantFrom('line', 'size', 'count', 'body');
    fc.assert(
      fc.property(validRequest, which, offsets, (request, limit, cuts) => {
        const exact = measure(request);
        // Generous limits but the one under test, so only that one can trip.
        const lim: ParserLimits = {
          maxRequestLine: exact.maxRequestLine + 10,
          maxHeaderSize: exact.maxHeaderSize + 10,
          maxHeaders: exact.maxHeaders + 1,
          maxBodySize: 0,
        };
        let status: string;
        if (limit === 'line') {
          fc.pre(exact.maxRequestLine > 1);
          Object.assign(lim, { maxRequestLine: exact.maxRequestLine - 1 });
          status = 'error 414';
        } else if (limit === 'size') {
          fc.pre(exact.maxHeaderSize > 1);
          Object.assign(lim, { maxHeaderSize: exact.maxHeaderSize - 1 });
          status = 'error 431';
        } else if (limit === 'count') {
          fc.pre(exact.maxHeaders > 1);
          Object.assign(lim, { maxHeaders: exact.maxHeaders - 1 });
          status = 'error 431';
        } else {
          fc.pre(request.bodyLength > 1);
          Object.assign(lim, { maxBodySize: request.bodyLength - 1 });
          status = 'error 413';
        }
        assert.equal(run([request.bytes], lim).at(-1), status);
        assert.equal(run(splitAt(request.bytes, cuts), lim).at(-1), status);
      }),
      { numRuns: 800 },
    );
  });
});
