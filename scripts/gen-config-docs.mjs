// Writes docs/configuration.md, docs/porta.schema.json and src/config/defaults.generated.ts from the config schema (`npm run docs:config`); --check fails when one is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { renderConfigDefaults } from '../src/config/config-defaults.js';
import { renderConfigDocs } from '../src/config/config-docs.js';
import { configJsonSchemaText } from '../src/config/json-schema.js';

const outputs = [
  { path: '../docs/configuration.md', render: renderConfigDocs },
  { path: '../docs/porta.schema.json', render: configJsonSchemaText },
  { path: '../src/config/defaults.generated.ts', render: renderConfigDefaults },
];

const check = process.argv.includes('--check');
let stale = 0;
for (const output of outputs) {
  const target = fileURLToPath(new URL(output.path, import.meta.url));
  // Formatted as `prettier --check .` wants it, so the generated files pass the format step.
  const options = (await resolveConfig(target)) ?? {};
  const text = await format(output.render(), { ...options, filepath: target });
  if (check) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // a missing file is stale too
    }
    if (current !== text) {
      console.error(`${target} is out of date: run \`npm run docs:config\``);
      stale++;
    }
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target}`);
  }
}
if (stale > 0) process.exit(1);
if (check) console.log('generated config docs are up to date');
