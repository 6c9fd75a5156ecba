// The upstream response parser: framing per RFC 9112 §6.3, interim responses, 101, errors; each case whole and split at every byte.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../../../http1/parse-error.js';
import { type ResponseHead, ResponseFraming, ResponseParser } from './response-parser.js';

interface Result {
  head: ResponseHead | null;
  body: string;
  ended: boolean;
  error: string | null;
  consumed: number;
}

/** Feeds `text` in pieces cut at `cuts`; collects what the sink saw. */
function parse(text: string, method = 'GET', cuts: number[] = [], onClose = false): Result {
  const result: Result = { head: null, body: '', ended: false, error: null, consumed: 0 };
  const parser = new ResponseParser(
    {
      onResponseHead: (head) => {
        result.head = head;
      },
      onResponseBody: (chunk) => {
        result.body += chunk.toString('latin1');
      },
      onResponseEnd: () => {
        result.ended = true;
      },
    },
    4096,
  );
  parser.expect(method);
  const data = Buffer.from(text, 'latin1');
  let start = 0;
  for (const end of [...cuts, data.length]) {
    const piece = data.subarray(start, end);
    const consumed = parser.execute(piece);
    if (consumed instanceof ParseError) {
      result.error = consumed.reason;
      return result;
    }
    result.consumed += consumed;
    if (consumed < piece.length) break;
    start = end;
  }
  if (onClose) parser.finishOnClose();
  return result;
}

function headOf(result: Result): ResponseHead {
  const head = result.head;
  assert.ok(head !== null, 'no response head');
  return head;
}

/** The same result whole and split at every offset. */
function parseEverySplit(text: string, method = 'GET', onClose = false): Result {
  const whole = parse(text, method, [], onClose);
  for (let i = 1; i < text.length; i++) {
    assert.deepEqual(parse(text, method, [i], onClose), whole, `split at ${i}`);
  }
  return whole;
}

describe('ResponseParser', () => {
  it('Content-Length body', () => {
    const r = parseEverySplit('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello');
    assert.equal(headOf(r).status, 200);
    assert.equal(headOf(r).framing, ResponseFraming.Length);
    assert.deepEqual(headOf(r).headers, ['Content-Length', '5', 'X-A', 'b']);
    assert.equal(r.body, 'hello');
    assert.equal(r.ended, true);
    assert.equal(headOf(r).keepAlive, true);
  });

  it('chunked body, trailers read and dropped', () => {
    const r = parseEverySplit(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nX-T: 1\r\n\r\n',
    );
    assert.equal(headOf(r).framing, ResponseFraming.Chunked);
    assert.equal(r.body, 'hello world');
    assert.equal(r.ended, true);
  });

  it('no length: the body runs until close, and the connection is not reusable', () => {
    const r = parseEverySplit('HTTP/1.1 200 OK\r\n\r\nuntil close', 'GET', true);
    assert.equal(headOf(r).framing, ResponseFraming.Close);
    assert.equal(headOf(r).keepAlive, false);
    assert.equal(r.body, 'until close');
    assert.equal(r.ended, true);
  });

  it('HEAD, 204 and 304 have no body; a HEAD keeps its Content-Length', () => {
    const head = parseEverySplit('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n', 'HEAD');
    assert.equal(headOf(head).framing, ResponseFraming.None);
    assert.equal(headOf(head).contentLength, 99);
    assert.equal(head.ended, true);
    assert.equal(
      parseEverySplit('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').ended,
      true,
    );
    assert.equal(parseEverySplit('HTTP/1.1 204 No Content\r\n\r\n').body, '');
  });

  it('skips 100 and 103 interim responses', () => {
    const r = parseEverySplit(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
    );
    assert.equal(headOf(r).status, 201);
    assert.equal(r.body, 'ok');
  });

  it('stops right after a 101 head: the rest is another protocol', () => {
    const text =
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';
    const r = parse(`${text}\x81\x02hi`);
    assert.equal(headOf(r).status, 101);
    assert.equal(r.consumed, text.length);
  });

  it('HTTP/1.0 and Connection: close are not reusable; TE with CL is not either', () => {
    assert.equal(headOf(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')).keepAlive, false);
    assert.equal(
      parse('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n').head
        ?.keepAlive,
      true,
    );
    assert.equal(
      headOf(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')).keepAlive,
      false,
    );
    const both = parse(
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    assert.equal(headOf(both).framing, ResponseFraming.Chunked);
    assert.equal(headOf(both).keepAlive, false);
  });

  it('rejects what is not HTTP/1.1', () => {
    assert.match(parse('SSH-2.0-OpenSSH\r\n\r\n').error ?? '', /invalid status line/);
    assert.match(
      parse('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n').error ?? '',
      /Content-Length/,
    );
    assert.match(
      parse('HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n').error ?? '',
      /invalid response header/,
    );
    assert.match(
      parse(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(5000)}\r\n\r\n`).error ?? '',
      /too large/,
    );
  });
});
