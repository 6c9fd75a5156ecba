// docs/observability.md lists every metric porta can export.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FAMILIES } from './catalogue.js';

describe('metric catalogue', () => {
  it('has every metric in docs/observability.md, with its type', () => {
    const doc = readFileSync(new URL('../../docs/observability.md', import.meta.url), 'utf8');
    for (const family of FAMILIES) {
      // A table row: the name, then its type (prettier pads the columns).
      const row = new RegExp(`^\\| \`${family.name}\` +\\| ${family.type} +\\|`, 'm');
      assert.match(doc, row, family.name);
    }
  });
});
