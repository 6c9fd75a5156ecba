// Tests for content-coding negotiation and the compressors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import {
  acceptedCodings,
  chooseCoding,
  Coding,
  compressBuffer,
  createCompressor,
  isCompressible,
} from './compression.js';

describe('acceptedCodings (RFC 9110 §12.5.3)', () => {
  it('reads browser values', () => {
    assert.equal(acceptedCodings('gzip, deflate, br, zstd'), Coding.Gzip | Coding.Brotli);
    assert.equal(acceptedCodings('gzip'), Coding.Gzip);
    assert.equal(acceptedCodings('BR'), Coding.Brotli);
    assert.equal(acceptedCodings('x-gzip'), Coding.Gzip);
  });

  it('honours q=0 and *', () => {
    assert.equal(acceptedCodings('gzip;q=0, br'), Coding.Brotli);
    assert.equal(acceptedCodings('br; q=0 , gzip ; q=0.5'), Coding.Gzip);
    assert.equal(acceptedCodings('*'), Coding.Gzip | Coding.Brotli);
    assert.equal(acceptedCodings('*;q=0, gzip'), Coding.Gzip);
    assert.equal(acceptedCodings('identity'), Coding.None);
    assert.equal(acceptedCodings(''), Coding.None);
    assert.equal(acceptedCodings(undefined), Coding.None);
    assert.equal(acceptedCodings('gzip;q=abc'), Coding.None);
  });

  it('prefers brotli, then gzip, within what is available', () => {
    const all = Coding.Gzip | Coding.Brotli;
    assert.equal(chooseCoding(all, all), Coding.Brotli);
    assert.equal(chooseCoding(all, Coding.Gzip), Coding.Gzip);
    assert.equal(chooseCoding(Coding.Gzip, Coding.Brotli), Coding.None);
  });
});

describe('isCompressible', () => {
  it('compresses text-like types and leaves compressed media alone', () => {
    for (const type of [
      'text/html',
      'text/css',
      'text/javascript',
      'application/json',
      'image/svg+xml',
      'application/wasm',
      'application/manifest+json',
      'application/vnd.api+json',
    ]) {
      assert.equal(isCompressible(type), true, type);
    }
    for (const type of [
      'image/png',
      'image/avif',
      'video/mp4',
      'font/woff2',
      'application/gzip',
      'application/zip',
      'application/octet-stream',
    ]) {
      assert.equal(isCompressible(type), false, type);
    }
  });
});

describe('compressors', () => {
  const input = Buffer.from('porta '.repeat(2000));
  it('compress whole buffers', async () => {
    assert.deepEqual(brotliDecompressSync(await compressBuffer(Coding.Brotli, input)), input);
    assert.deepEqual(gunzipSync(await compressBuffer(Coding.Gzip, input)), input);
  });

  it('compress streams', async () => {
    const br = await buffer(Readable.from([input]).pipe(createCompressor(Coding.Brotli, 0)));
    assert.deepEqual(brotliDecompressSync(br), input);
    const gz = await buffer(Readable.from([input]).pipe(createCompressor(Coding.Gzip, 100)));
    assert.deepEqual(gunzipSync(gz), input);
  });
});
