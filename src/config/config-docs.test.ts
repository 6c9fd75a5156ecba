// The generated config reference and JSON Schema: checked in up to date, every key documented, editor-friendly.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderConfigDocs, undocumentedKeys } from './config-docs.js';
import { type JsonSchema, configJsonSchema } from './json-schema.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Visits every schema node; `default` values are config data (log.format is a key there), not schemas. */
function walk(node: unknown, visit: (schema: JsonSchema) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (typeof node === 'object' && node !== null) {
    visit(node as JsonSchema);
    for (const [key, value] of Object.entries(node)) if (key !== 'default') walk(value, visit);
  }
}

describe('docs/configuration.md', () => {
  it('is up to date with the schema, as are porta.schema.json and defaults.generated.ts (run `npm run docs:config` after editing schema.ts)', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/gen-config-docs.mjs', '--check'],
      { cwd: REPO, encoding: 'utf8' },
    );
    assert.equal(result.status, 0, result.stderr + result.stdout);
  });

  it('documents every key: each has a .describe() text in the schema', () => {
    assert.deepEqual(undocumentedKeys(), []);
  });

  it('lists keys with type, default and description', () => {
    const docs = renderConfigDocs();
    assert.match(docs, /^### `sites\[\]`$/m);
    assert.match(
      docs,
      /^- `listen` \(list of strings, default `\[":8080"\]`\): Addresses to listen on/m,
    );
    assert.match(docs, /^- `routes` \(list of mappings, required\): /m);
    assert.match(docs, /^- `status` \(`301` or `302` or `303` or `307` or `308`, default `301`\)/m);
    assert.match(docs, /yaml-language-server: \$schema=/);
  });
});

describe('configJsonSchema', () => {
  const schema = configJsonSchema();

  it('is a draft-07 object schema that rejects unknown top-level keys but allows $schema', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(schema.type, 'object');
    assert.equal(schema.additionalProperties, false);
    const properties = schema.properties as JsonSchema;
    for (const key of ['$schema', 'sites', 'streams', 'limits', 'timeouts', 'log']) {
      assert.ok(key in properties, `missing ${key}`);
    }
  });

  it('describes the file as written: defaults are optional, units may be text', () => {
    const properties = schema.properties as JsonSchema;
    const limits = properties.limits as JsonSchema;
    const size = (limits.properties as JsonSchema).max_body_size as JsonSchema;
    assert.deepEqual(
      (size.anyOf as JsonSchema[]).map((o) => o.type),
      ['integer', 'string'],
    );
    assert.equal(size.default, '1m');
    assert.equal(schema.required, undefined);
  });

  it('uses only formats editors know, and no 2^53 bounds', () => {
    walk(schema, (node) => {
      if (typeof node.format === 'string') {
        assert.ok(
          ['uri', 'ipv4', 'ipv6', 'hostname', 'email', 'regex'].includes(node.format),
          node.format,
        );
      }
      assert.notEqual(node.maximum, Number.MAX_SAFE_INTEGER);
    });
  });
});
