import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dateField } from './date-header.js';
import { PreparedResponse } from '../http/prepared-response.js';
import { preparedBytes } from './prepared-bytes.js';
import { Framing, buildResponseHead } from './response-head.js';

const HEADERS = ['Content-Type', 'text/plain', 'X-Test', 'a b'];
const BODY = Buffer.from('Hello, World!');
const NOW = Date.UTC(2026, 10, 24, 18, 44, 42, 123);

/** What `send` would write: the head built for this request, then the body. */
function expected(connection: string, headOnly: boolean, now: number): string {
  const head = buildResponseHead(200, HEADERS, Framing.Length, BODY.length, connection, now);
  return head + (headOnly ? '' : BODY.toString());
}

describe('preparedBytes', () => {
  it('writes exactly what send would, for every Connection field, with and without a body', () => {
    const response = new PreparedResponse(200, HEADERS, BODY);
    for (const connection of ['', 'close', 'keep-alive']) {
      for (const headOnly of [false, true]) {
        const bytes = preparedBytes(response, connection, headOnly, NOW).toString('latin1');
        assert.equal(bytes, expected(connection, headOnly, NOW), `${connection} ${headOnly}`);
      }
    }
    assert.match(
      preparedBytes(response, 'close', false, NOW).toString(),
      /\r\nConnection: close\r\n/,
    );
  });

  it('reuses the bytes within a second and rebuilds them with the next Date', () => {
    const response = new PreparedResponse(200, HEADERS, BODY);
    const first = preparedBytes(response, '', false, NOW);
    assert.equal(preparedBytes(response, '', false, NOW + 800), first);
    const later = preparedBytes(response, '', false, NOW + 1000);
    assert.notEqual(later, first);
    assert.ok(later.toString('latin1').includes(dateField(NOW + 1000)));
    assert.equal(later.toString('latin1'), expected('', false, NOW + 1000));
  });

  it('sends neither body nor Content-Length for a 304', () => {
    const notModified = new PreparedResponse(304, ['ETag', '"x"'], Buffer.alloc(0));
    for (const connection of ['', 'close']) {
      const bytes = preparedBytes(notModified, connection, true, NOW).toString('latin1');
      assert.equal(
        bytes,
        buildResponseHead(304, ['ETag', '"x"'], Framing.None, 0, connection, NOW),
      );
      assert.doesNotMatch(bytes, /content-length/i);
    }
  });
});
