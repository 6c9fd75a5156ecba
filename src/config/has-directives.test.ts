import assert from 'node:assert/strict';
import { test } from 'node:test';
import { directiveFields } from './directive-schema.js';
import { DIRECTIVE_KEYS, hasDirectives } from './has-directives.js';

test('the directive keys are the schema’s directive fields', () => {
  assert.deepEqual([...DIRECTIVE_KEYS].sort(), Object.keys(directiveFields).sort());
});

test('a route or site with any directive key has directives; none has none', () => {
  assert.equal(hasDirectives({}, {}), false);
  for (const key of DIRECTIVE_KEYS) {
    assert.equal(hasDirectives({ [key]: false }, {}), true, `site ${key}`);
    assert.equal(hasDirectives({}, { [key]: 0 }), true, `route ${key}`);
  }
});
