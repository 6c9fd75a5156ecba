// Tests for CORS fields: "*" without credentials, echoed listed origins, preflights.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Cors } from './cors.js';

describe('Cors', () => {
  it('any origin: fixed fields, no per-origin work', () => {
    const cors = new Cors({ origins: ['*'], credentials: false, maxAgeSeconds: 600 });
    assert.equal(cors.byOrigin, false);
    assert.deepEqual(cors.fixedFields.slice(0, 2), ['Access-Control-Allow-Origin', '*']);
    assert.deepEqual(cors.originFields('https://x.example'), []);
    assert.deepEqual(cors.preflightFields('https://x.example', 'range'), [
      'Access-Control-Allow-Origin',
      '*',
      'Access-Control-Allow-Methods',
      'GET, HEAD, OPTIONS',
      'Access-Control-Allow-Headers',
      'range',
      'Access-Control-Max-Age',
      '600',
    ]);
  });

  it('listed origins with credentials: echo the origin, never "*"', () => {
    const cors = new Cors({ origins: ['https://a.example'], credentials: true, maxAgeSeconds: 60 });
    assert.equal(cors.byOrigin, true);
    assert.deepEqual(cors.fixedFields, []);
    const fields = cors.originFields('https://a.example');
    assert.deepEqual(fields.slice(0, 2), ['Access-Control-Allow-Origin', 'https://a.example']);
    assert.ok(fields.includes('Access-Control-Allow-Credentials'));
    assert.deepEqual(cors.originFields('https://b.example'), []);
    assert.deepEqual(cors.originFields(undefined), []);
    assert.equal(cors.preflightFields('https://b.example', undefined), null);
  });

  it('"*" with credentials (refused by the schema) still never allows an unlisted origin', () => {
    const cors = new Cors({ origins: ['*'], credentials: true, maxAgeSeconds: 60 });
    assert.deepEqual(cors.originFields('https://evil.example'), []);
  });
});
