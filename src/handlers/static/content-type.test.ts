// Tests for Content-Type selection and the ETag helpers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contentTypeFor, mediaTypeOf, withCharset } from './content-type.js';
import { codedEtag, fileEtag, sameVersion } from './etag.js';

const types = {
  overrides: new Map([['.glb', 'model/gltf-binary']]),
  fallback: 'application/octet-stream',
};

describe('contentTypeFor', () => {
  it('knows modern web types and adds charset=utf-8 to text', () => {
    assert.equal(contentTypeFor('a.wasm', types), 'application/wasm');
    assert.equal(contentTypeFor('a.mjs', types), 'text/javascript; charset=utf-8');
    assert.equal(contentTypeFor('a.avif', types), 'image/avif');
    assert.equal(
      contentTypeFor('site.webmanifest', types),
      'application/manifest+json; charset=utf-8',
    );
    assert.equal(contentTypeFor('INDEX.HTML', types), 'text/html; charset=utf-8');
    assert.equal(contentTypeFor('data.json', types), 'application/json; charset=utf-8');
    assert.equal(contentTypeFor('a.png', types), 'image/png');
  });

  it('uses overrides first and the fallback last', () => {
    assert.equal(contentTypeFor('scene.GLB', types), 'model/gltf-binary');
    assert.equal(contentTypeFor('Makefile', types), 'application/octet-stream');
    assert.equal(contentTypeFor('x.unknownext', types), 'application/octet-stream');
  });

  it('keeps an explicit charset and strips parameters for the media type', () => {
    assert.equal(withCharset('text/plain; charset=latin1'), 'text/plain; charset=latin1');
    assert.equal(mediaTypeOf('Text/HTML; charset=utf-8'), 'text/html');
  });
});

describe('etags', () => {
  const version = { ino: 0x2an, size: 0x400n, mtimeNs: 0x1234n };
  it('builds strong tags from size, mtime and inode, one per coding', () => {
    assert.equal(fileEtag(version, ''), '"400-1234-2a"');
    assert.equal(fileEtag(version, 'br'), '"400-1234-2a-br"');
    assert.equal(codedEtag('"400-1234-2a"', 'gz'), '"400-1234-2a-gz"');
  });

  it('tells versions apart', () => {
    assert.equal(sameVersion(version, { ...version }), true);
    assert.equal(sameVersion(version, { ...version, mtimeNs: 1n }), false);
    assert.equal(sameVersion(version, { ...version, ino: 1n }), false);
  });
});
