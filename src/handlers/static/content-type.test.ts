// Tests for Content-Type selection and the ETag helpers.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fullMime from 'mime';
import liteMime from 'mime/lite';
import {
  COMMON_TYPES,
  contentTypeFor,
  loadMimeTable,
  mediaTypeOf,
  needsMimeTable,
  typeByName,
  withCharset,
} from './content-type.js';
import { codedEtag, fileEtag, sameVersion } from './etag.js';

const types = {
  overrides: new Map([['.glb', 'model/gltf-binary']]),
  fallback: 'application/octet-stream',
};

/** Every extension nginx's /etc/nginx/mime.types (1.22) maps to a type. */
const NGINX_EXTENSIONS =
  `3gp 3gpp 7z ai asf asx atom avi avif bin bmp cco crt css deb der dll dmg doc docx ear
  eot eps exe flv gif hqx htc htm html ico img iso jad jar jardiff jng jnlp jpeg jpg js json kar kml
  kmz m3u8 m4a m4v mid midi mml mng mov mp3 mp4 mpeg mpg msi msm msp odg odp ods odt ogg pdb pdf pem
  pl pm png ppt pptx prc ps ra rar rpm rss rtf run sea shtml sit svg svgz swf tcl tif tiff tk ts txt
  war wasm wbmp webm webp wml wmlc wmv woff woff2 xhtml xls xlsx xml xpi xspf zip`.split(/\s+/);

/** Files porta's docs and tests serve, and other common downloads. */
const MORE_EXTENSIONS = `mjs cjs map webmanifest md markdown csv yaml yml toml otf ttf heic jxl epub
  flac oga ogv opus wav aac mkv srt vtt ics vcf tar gz tgz bz2 xz zst apk sh php psd key m3u glb
  gltf jsonld geojson appcache manifest`.split(/\s+/);

describe('the common types, named before the mime table loads', () => {
  it('needs no table for them, and names them as mime/lite does', async () => {
    for (const extension of COMMON_TYPES.keys()) {
      assert.equal(needsMimeTable(`a.${extension.toUpperCase()}`), false, extension);
      assert.equal(typeByName(`a.${extension}`), liteMime.getType(`a.${extension}`), extension);
    }
    assert.equal(needsMimeTable('a.docx'), true);
    assert.equal(needsMimeTable('dir/a.html'), true, 'a path goes the way mime reads it');
    assert.equal(needsMimeTable('.html'), true, 'a dot file too');
    assert.throws(() => typeByName('a.docx'), /loadMimeTable/);
    await loadMimeTable();
    assert.equal(needsMimeTable('a.docx'), false);
  });
});

describe('typeByName', () => {
  before(() => loadMimeTable());
  it("names every type the full mime table names, for nginx's extensions and ours", () => {
    const differ: string[] = [];
    for (const extension of [...NGINX_EXTENSIONS, ...MORE_EXTENSIONS]) {
      for (const name of [`file.${extension}`, `dir/FILE.${extension.toUpperCase()}`]) {
        const expected = fullMime.getType(name);
        if (typeByName(name) !== expected)
          differ.push(`${name}: ${String(typeByName(name))} != ${String(expected)}`);
      }
    }
    assert.deepEqual(differ, []);
  });

  it('reads names as mime does: no extension, a dot file, a bare extension', () => {
    for (const name of [
      'Makefile',
      'dir/ico',
      '.ico',
      'ico',
      'dir/.7z',
      'a.b.docx',
      'x.unknownext',
    ])
      assert.equal(typeByName(name), fullMime.getType(name), name);
    assert.equal(typeByName('favicon.ico'), 'image/vnd.microsoft.icon');
  });
});

describe('contentTypeFor', () => {
  before(() => loadMimeTable());
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
