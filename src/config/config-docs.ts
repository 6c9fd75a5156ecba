// Renders docs/configuration.md from the JSON Schema (itself from schema.ts): every key with its type, default and description.
import { quote } from './config-error.js';
import { type JsonSchema, configJsonSchema } from './json-schema.js';

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function code(value: unknown): string {
  const text = quote(value);
  // A backtick inside a code span would end it early; double backticks with spaces allow one.
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** "an object with keys" (a section of its own) as opposed to a map of free names. */
function isSection(schema: JsonSchema): boolean {
  return schema.type === 'object' && isSchema(schema.properties);
}

/** Options of a union, or the schema itself. */
function options(schema: JsonSchema): JsonSchema[] {
  return Array.isArray(schema.anyOf) ? schema.anyOf.filter(isSchema) : [schema];
}

function range(schema: JsonSchema): string {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  const above = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
  if (min !== undefined && max !== undefined) return ` ${min}-${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (above !== undefined) return ` > ${above}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}

/** "list of strings", "integer 200-599", "`301` | `302`", "mapping of name to string". */
function typeText(schema: JsonSchema): string {
  if (Array.isArray(schema.anyOf)) {
    const parts = options(schema).map(typeText);
    return [...new Set(parts)].join(' or ');
  }
  if ('const' in schema) return code(schema.const);
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(code).join(', ')}`;
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
      return `integer${range(schema)}`;
    case 'number':
      return `number${range(schema)}`;
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      const items = isSchema(schema.items) ? schema.items : {};
      const inner = isSection(items) ? 'mappings' : `${typeText(items)}s`;
      return `list of ${inner.replace(/^(.*) or (.*)s$/, '$1s or $2s')}`;
    }
    case 'object':
      if (isSection(schema)) return 'mapping';
      if (isSchema(schema.additionalProperties)) {
        return `mapping of name to ${typeText(schema.additionalProperties)}`;
      }
      return 'mapping';
    default:
      return 'any';
  }
}

interface Section {
  readonly path: string;
  readonly schema: JsonSchema;
}

/** Sections (objects with keys) in document order, depth first, with their key paths. */
function collectSections(schema: JsonSchema, path: string, out: Section[]): Section[] {
  for (const option of options(schema)) {
    if (isSection(option)) {
      out.push({ path, schema: option });
      for (const [key, child] of Object.entries(option.properties as JsonSchema)) {
        if (isSchema(child)) collectSections(child, path === '' ? key : `${path}.${key}`, out);
      }
    } else if (option.type === 'array' && isSchema(option.items)) {
      collectSections(option.items, `${path}[]`, out);
    } else if (option.type === 'object' && isSchema(option.additionalProperties)) {
      collectSections(option.additionalProperties, `${path}.<name>`, out);
    }
  }
  return out;
}

/**
 * Description text as Markdown shows it literally: "*.example.com" must not turn into emphasis.
 * Code spans (`porta run`) are kept as written.
 */
function prose(text: string): string {
  return text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/[\\*_[\]<>]/g, (c) => `\\${c}`)))
    .join('`');
}

function keyLine(key: string, schema: JsonSchema, required: boolean, parent: string): string {
  const facts = [typeText(schema)];
  if (required) facts.push('required');
  else if ('default' in schema && !isSection(schema)) facts.push(`default ${code(schema.default)}`);
  else if (!('default' in schema)) facts.push('optional');
  const description = typeof schema.description === 'string' ? prose(schema.description) : '';
  const hasSection =
    options(schema).some(isSection) ||
    (schema.type === 'array' && isSchema(schema.items) && options(schema.items).some(isSection));
  const childPath = parent === '' ? key : `${parent}.${key}`;
  const more = hasSection ? ` See \`${childPath}${schema.type === 'array' ? '[]' : ''}\`.` : '';
  return `- \`${key}\` (${facts.join(', ')}): ${description}${more}`.trimEnd();
}

const INTRO = `# Configuration reference

<!-- Generated from src/config/schema.ts by \`npm run docs:config\`; edit the schema, not this file. -->

porta reads one file, \`porta.yaml\` in the current folder unless you name another:
\`porta run -c site.yaml\`. Files ending in \`.json\` are read as JSON, everything else as
YAML. \`porta check -c site.yaml\` validates the file and builds everything it describes
without binding a port (exit code 0 or 1, like \`nginx -t\`).

## Editor support

\`porta schema > porta.schema.json\` writes the JSON Schema of this file (this repository keeps
a copy in docs/porta.schema.json, which the examples use). Editors with the YAML language
server (VS Code's YAML extension, Neovim, JetBrains) then complete keys, show these
descriptions and flag mistakes as you type, if porta.yaml starts with this comment:

<!-- snippet -->
\`\`\`yaml
# yaml-language-server: $schema=./porta.schema.json
\`\`\`

In a JSON config, a top-level \`"$schema": "./porta.schema.json"\` does the same; porta ignores
that key.

## Environment variables

String values may use environment variables, the way shells and compose files do:

| Written                  | Becomes                                                         |
| ------------------------ | --------------------------------------------------------------- |
| \`\${PORT}\`             | the value of PORT; an error naming the variable when it is unset |
| \`\${PORT:-8080}\`       | PORT, or 8080 when PORT is unset or empty                       |
| \`\${PORT-8080}\`        | PORT, or 8080 only when PORT is unset                           |
| \`\${TOKEN:?message}\`   | TOKEN, or an error with your message when it is unset or empty  |
| \`$$\`                   | one \`$\` (a lone \`$\`, as in \`$2b$10$...\` hashes, stays as it is) |

Variables are expanded in values, not keys, after the YAML is parsed (so a variable's value is
never read as YAML). A value that is one variable and nothing else (\`max_headers: \${MAX}\`)
becomes a number or true/false where the key takes a number or a boolean and no text;
everywhere else the result is text, which listen addresses, sizes ("1m") and durations ("10s")
take anyway. Quote a value that holds a variable inside a flow list:
\`listen: [":\${PORT:-8080}"]\`.

## Relative paths

Relative paths in the file start from the folder of the config file (or from \`base_dir\`), not
from the folder porta was started in.

## Errors

porta reports every problem of a file at once, each with its line and column and the key path,
for example:

\`\`\`
porta: invalid configuration, 2 errors:
  porta.yaml:3:5 sites[0].rotes: unknown key, did you mean \`routes\`?
  porta.yaml:9:17 limits.max_body_size: expected a size like "1m", "16k" or a number of bytes, got "big"
\`\`\`

## Keys

Each section lists its keys with their type and default. \`[]\` marks a list item:
\`sites[].routes[]\` is one route of one site.
`;

/** The whole reference page (before Prettier formats it). */
export function renderConfigDocs(): string {
  const schema = configJsonSchema();
  const parts = [INTRO];
  for (const section of collectSections(schema, '', [])) {
    const title = section.path === '' ? 'Top level' : `\`${section.path}\``;
    const lines = [`### ${title}`, ''];
    if (section.path !== '' && typeof section.schema.description === 'string') {
      lines.push(prose(section.schema.description), '');
    }
    const required = new Set(Array.isArray(section.schema.required) ? section.schema.required : []);
    for (const [key, child] of Object.entries(section.schema.properties as JsonSchema)) {
      if (!isSchema(child) || key === '$schema') continue;
      lines.push(keyLine(key, child, required.has(key), section.path));
    }
    parts.push(lines.join('\n'));
  }
  return `${parts.join('\n\n')}\n`;
}

/** Key paths whose schema has no description (the reference would show an empty line). */
export function undocumentedKeys(): string[] {
  const missing: string[] = [];
  for (const section of collectSections(configJsonSchema(), '', [])) {
    for (const [key, child] of Object.entries(section.schema.properties as JsonSchema)) {
      if (key === '$schema' || !isSchema(child)) continue;
      const documented =
        typeof child.description === 'string' ||
        options(child).some((o) => typeof o.description === 'string');
      if (!documented) missing.push(section.path === '' ? key : `${section.path}.${key}`);
    }
  }
  return missing;
}
