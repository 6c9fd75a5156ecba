// Unit tests for ${VAR} expansion in config values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandEnv, expandEnvInTree } from './env.js';

const env = { PORT: '9090', HOST: 'example.com', EMPTY: '' };

function value(text: string): string {
  const result = expandEnv(text, env);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.value;
}

function failure(text: string): string {
  const result = expandEnv(text, env);
  assert.ok(!result.ok, `expected "${text}" to fail`);
  return result.message;
}

describe('expandEnv', () => {
  it('leaves text without references alone', () => {
    assert.equal(value('plain'), 'plain');
    assert.equal(value(''), '');
  });

  it('replaces ${NAME} inside and around text', () => {
    assert.equal(value('${PORT}'), '9090');
    assert.equal(value(':${PORT}'), ':9090');
    assert.equal(value('http://${HOST}:${PORT}/x'), 'http://example.com:9090/x');
  });

  it('uses the default after :- when unset or empty, after - only when unset', () => {
    assert.equal(value('${NOPE:-8080}'), '8080');
    assert.equal(value('${PORT:-8080}'), '9090');
    assert.equal(value('${EMPTY:-fallback}'), 'fallback');
    assert.equal(value('${EMPTY-fallback}'), '');
    assert.equal(value('${NOPE-fallback}'), 'fallback');
    assert.equal(value('${NOPE:-}'), '');
    assert.equal(value('${NOPE:-a:b/c d}'), 'a:b/c d');
  });

  it('turns $$ into one $ and keeps a lone $ as it is', () => {
    assert.equal(value('$${PORT}'), '${PORT}');
    assert.equal(value('cost: $$5'), 'cost: $5');
    assert.equal(value('$2b$10$abcdef'), '$2b$10$abcdef');
    assert.equal(value('end$'), 'end$');
  });

  it('says which variable is missing and how to give a default', () => {
    const message = failure('${MISSING}');
    assert.match(message, /environment variable MISSING is not set/);
    assert.match(message, /\$\{MISSING:-value\}/);
  });

  it('reports :? and ? with the message given', () => {
    assert.equal(
      failure('${TOKEN:?put it in .env}'),
      'environment variable TOKEN is not set: put it in .env',
    );
    assert.equal(failure('${EMPTY:?needed}'), 'environment variable EMPTY is empty: needed');
    assert.equal(value('${EMPTY?needed}'), '');
  });

  it('rejects malformed references', () => {
    assert.match(failure('${PORT'), /without its "}"/);
    assert.match(failure('${}'), /not a variable reference/);
    assert.match(failure('${1X}'), /not a variable reference/);
    assert.match(failure('${PORT:+x}'), /not a variable reference/);
  });

  it('marks a value that is one reference and nothing else as whole', () => {
    const whole = (text: string): boolean => {
      const result = expandEnv(text, env);
      return result.ok && result.whole;
    };
    assert.equal(whole('${PORT}'), true);
    assert.equal(whole('${NOPE:-1}'), true);
    assert.equal(whole(':${PORT}'), false);
    assert.equal(whole('${PORT}${PORT}'), false);
    assert.equal(whole('$$'), false);
    assert.equal(whole('plain'), false);
  });
});

describe('expandEnvInTree', () => {
  it('expands string values at every depth, not keys, and keeps other types', () => {
    const tree = { '${PORT}': 'x', a: ['${PORT}', 1, true, null], b: { c: '${HOST}' } };
    const { value: out, problems } = expandEnvInTree(tree, env);
    assert.deepEqual(problems, []);
    assert.deepEqual(out, { '${PORT}': 'x', a: ['9090', 1, true, null], b: { c: 'example.com' } });
  });

  it('collects every problem with its key path', () => {
    const tree = { sites: [{ listen: ['${A}', ':${B}'] }], log: { level: '${C:-info}' } };
    const { problems } = expandEnvInTree(tree, {});
    assert.deepEqual(
      problems.map((p) => p.path),
      [
        ['sites', 0, 'listen', 0],
        ['sites', 0, 'listen', 1],
      ],
    );
  });

  it('lets the caller coerce whole references', () => {
    const { value: out } = expandEnvInTree({ n: '${PORT}', s: 'p${PORT}' }, env, (path, text) =>
      path[0] === 'n' ? Number(text) : text,
    );
    assert.deepEqual(out, { n: 9090, s: 'p9090' });
  });

  it('keeps a __proto__ key as a plain key', () => {
    const tree: unknown = JSON.parse('{"__proto__": {"polluted": "yes"}}');
    const { value: out } = expandEnvInTree(tree, env);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out as object), ['__proto__']);
  });
});
