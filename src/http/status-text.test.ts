import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { describe, it } from 'node:test';
import { reasonPhrase, statusLine } from './status-text.js';

describe('status text', () => {
  it('words every status as node:http does, and unknown ones as "Unknown"', () => {
    for (let status = 100; status < 600; status++) {
      const phrase = STATUS_CODES[status] ?? 'Unknown';
      assert.equal(reasonPhrase(status), phrase, String(status));
      assert.equal(statusLine(status), `HTTP/1.1 ${status} ${phrase}\r\n`);
    }
    assert.equal(statusLine(999), 'HTTP/1.1 999 Unknown\r\n');
  });
});
