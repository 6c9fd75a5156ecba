// Tests for the `static:` schema: defaults, refusals with clear paths, and the StaticOptions it resolves to.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { staticOptionsFromConfig } from './static-options.js';
import { StaticSchema } from './static-schema.js';

describe('StaticSchema', () => {
  it('fills secure, documented defaults', () => {
    const options = staticOptionsFromConfig(StaticSchema.parse({ root: 'public' }), '/srv/app');
    assert.equal(options.root, '/srv/app/public');
    assert.deepEqual(options.index, ['index.html']);
    assert.equal(options.listing, false);
    assert.equal(options.spa, null);
    assert.equal(options.dotfiles, 'deny');
    assert.equal(options.followSymlinks, false);
    assert.equal(options.cors, null);
    assert.equal(options.compress, true);
    assert.equal(options.compressMinSize, 512);
    assert.equal(options.precompressed, true);
    assert.equal(options.cacheControl, 'no-cache');
    assert.deepEqual([...options.errorPages], [[404, '/404.html']]);
    assert.equal(options.defaultType, 'application/octet-stream');
    assert.equal(options.maxRanges, 100);
    assert.deepEqual(options.cache, {
      maxFileSize: 1024 * 1024,
      maxSize: 64 * 1024 * 1024,
      maxEntries: 10_000,
      statTtlMs: 1000,
      watch: true,
    });
  });

  it('resolves spa, cors, types, headers and error pages', () => {
    const options = staticOptionsFromConfig(
      StaticSchema.parse({
        root: '/abs',
        spa: 'app shell.html',
        cors: { origins: ['https://a.example'], credentials: true, max_age: '1h' },
        types: { GLB: 'model/gltf-binary', '.ts': 'text/typescript' },
        headers: { 'X-Frame-Options': 'DENY' },
        error_pages: { '404': 'errors/404.html', '500': '/oops.html' },
        file_cache: { stat_ttl: '250ms', max_file_size: '64k' },
      }),
      '/ignored',
    );
    assert.equal(options.root, '/abs');
    assert.equal(options.spa, '/app%20shell.html');
    assert.deepEqual(options.cors, {
      origins: ['https://a.example'],
      credentials: true,
      maxAgeSeconds: 3600,
    });
    assert.deepEqual(
      [...options.types],
      [
        ['.glb', 'model/gltf-binary'],
        ['.ts', 'text/typescript'],
      ],
    );
    assert.deepEqual(options.headers, ['X-Frame-Options', 'DENY']);
    assert.equal(options.errorPages.get(404), '/errors/404.html');
    assert.equal(options.errorPages.get(500), '/oops.html');
    assert.equal(options.cache.statTtlMs, 250);
    assert.equal(options.cache.maxFileSize, 65536);
    assert.equal(
      staticOptionsFromConfig(StaticSchema.parse({ spa: true }), '/').spa,
      '/index.html',
    );
    assert.deepEqual(
      staticOptionsFromConfig(StaticSchema.parse({ cors: true }), '/').cors?.origins,
      ['*'],
    );
  });

  it('refuses "*" with credentials, header injection, unknown keys and bad units', () => {
    const refusals: [unknown, string][] = [
      [{ cors: { credentials: true } }, 'cors.origins'],
      [{ headers: { 'X-A': 'ok\r\nSet-Cookie: x=1' } }, 'headers.X-A'],
      [{ headers: { 'Bad Name': 'x' } }, 'headers'],
      [{ cache_control: 'x\ny' }, 'cache_control'],
      [{ listnig: true }, ''],
      [{ index: ['a/b.html'] }, 'index.0'],
      [{ error_pages: { '200': 'x.html' } }, 'error_pages'],
      [{ file_cache: { stat_ttl: 'soon' } }, 'file_cache.stat_ttl'],
      [{ dotfiles: 'ignore' }, 'dotfiles'],
    ];
    for (const [input, path] of refusals) {
      const result = StaticSchema.safeParse(input);
      if (result.success) assert.fail(`accepted ${JSON.stringify(input)}`);
      const paths = result.error.issues.map((issue) => issue.path.join('.'));
      assert.ok(
        paths.some((p) => p.startsWith(path)),
        `${JSON.stringify(input)}: ${paths.join(', ')}`,
      );
    }
  });

  it('documents every field', () => {
    const undocumented: string[] = [];
    const visit = (schema: unknown, path: string): void => {
      const shape = (schema as { shape?: Record<string, { description?: string }> }).shape;
      if (shape === undefined) return;
      for (const [key, field] of Object.entries(shape)) {
        if (field.description === undefined || field.description === '')
          undocumented.push(path + key);
      }
    };
    visit(StaticSchema, '');
    visit(StaticSchema.shape.file_cache.unwrap(), 'file_cache.');
    assert.deepEqual(undocumented, []);
  });
});
