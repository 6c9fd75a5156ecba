// Unit tests for the "did you mean" suggestions of unknown config keys and values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { didYouMean, editDistance } from './did-you-mean.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    assert.equal(editDistance('', ''), 0);
    assert.equal(editDistance('abc', ''), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('rotes', 'routes'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('flaw', 'lawn'), 2);
  });

  it('is symmetric', () => {
    for (const [a, b] of [
      ['listen', 'lsten'],
      ['redirect', 'redirct'],
      ['abc', 'xyz'],
    ] as const) {
      assert.equal(editDistance(a, b), editDistance(b, a));
    }
  });
});

describe('didYouMean', () => {
  const siteKeys = ['listen', 'hosts', 'routes'];
  const routeKeys = ['path', 'respond', 'redirect', 'echo'];

  it('finds a key one typo away', () => {
    assert.equal(didYouMean('rotes', siteKeys), 'routes');
    assert.equal(didYouMean('host', siteKeys), 'hosts');
    assert.equal(didYouMean('lisen', siteKeys), 'listen');
    assert.equal(didYouMean('redirct', routeKeys), 'redirect');
    assert.equal(didYouMean('respnod', routeKeys), 'respond');
  });

  it('finds the snake_case spelling of camelCase and kebab-case keys', () => {
    assert.equal(didYouMean('keepPath', ['to', 'status', 'keep_path']), 'keep_path');
    assert.equal(didYouMean('max-body-size', ['max_headers', 'max_body_size']), 'max_body_size');
    assert.equal(didYouMean('Routes', siteKeys), 'routes');
  });

  it('finds a key the word is the start of', () => {
    assert.equal(didYouMean('max_body', ['max_headers', 'max_body_size']), 'max_body_size');
  });

  it('suggests nothing when nothing is close', () => {
    assert.equal(didYouMean('x', routeKeys), undefined);
    assert.equal(didYouMean('upstream', routeKeys), undefined);
    assert.equal(didYouMean('anything', []), undefined);
  });
});
