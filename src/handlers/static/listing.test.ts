// Tests for directory listings: reading with the dotfile and symlink policy, sorting, escaping, JSON.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  escapeHtml,
  formatSize,
  readListing,
  renderListingHtml,
  renderListingJson,
} from './listing.js';

describe('readListing', () => {
  it('sorts folders first and names naturally, hides dotfiles and disallowed links', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'porta-listing-'));
    try {
      await mkdir(join(dir, 'b-folder'));
      await writeFile(join(dir, 'file10.txt'), '10');
      await writeFile(join(dir, 'file2.txt'), '2');
      await writeFile(join(dir, 'A.txt'), 'a');
      await writeFile(join(dir, '.hidden'), 'h');
      await symlink('/etc', join(dir, 'etc-link'));
      const { items, truncated } = await readListing(dir, {
        showHidden: false,
        atRoot: true,
        isAllowed: (real) => real.startsWith(dir),
      });
      assert.equal(truncated, false);
      assert.deepEqual(
        items.map((i) => [i.name, i.directory, i.size]),
        [
          ['b-folder', true, 0],
          ['A.txt', false, 1],
          ['file2.txt', false, 1],
          ['file10.txt', false, 2],
        ],
      );
      const all = await readListing(dir, { showHidden: true, atRoot: true, isAllowed: () => true });
      assert.ok(all.items.some((i) => i.name === '.hidden'));
      assert.ok(all.items.some((i) => i.name === 'etc-link' && i.directory));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('rendering', () => {
  const items = [
    { name: 'sub dir', directory: true, size: 0, modified: Date.UTC(2024, 0, 1) },
    { name: '<img src=x onerror=alert(1)>.txt', directory: false, size: 1536, modified: 0 },
  ];

  it('escapes names in text and links, encodes hrefs, links the parent', () => {
    const html = renderListingHtml('/a&b/', items, { parent: true, truncated: false });
    assert.match(html, /<title>Index of \/a&amp;b\/<\/title>/);
    assert.match(html, /href="\.\/sub%20dir\/"/);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;\.txt/);
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /href="\.\.\/"/);
    assert.match(html, /1\.5 KiB/);
  });

  it('renders JSON with types and ISO times', () => {
    const json = JSON.parse(renderListingJson('/x/', items, false)) as {
      entries: { name: string; type: string; modified: string }[];
    };
    assert.deepEqual(
      json.entries.map((e) => [e.type, e.modified]),
      [
        ['directory', '2024-01-01T00:00:00.000Z'],
        ['file', '1970-01-01T00:00:00.000Z'],
      ],
    );
  });

  it('escapes and formats', () => {
    assert.equal(
      escapeHtml(`<a href="x">'&'</a>`),
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    assert.equal(escapeHtml('plain'), 'plain');
    assert.equal(formatSize(0), '0 B');
    assert.equal(formatSize(1023), '1023 B');
    assert.equal(formatSize(1024), '1.0 KiB');
    assert.equal(formatSize(10 * 1024 * 1024), '10 MiB');
  });
});
