// The JSON Schema of porta.yaml, derived from the zod schema, for editors (`porta schema`) and the generated reference.
import { z } from 'zod';
import { ConfigSchema } from './schema.js';

/** A JSON Schema node, as plain data. */
export type JsonSchema = { [key: string]: unknown };

/** Formats every draft-07 validator knows; zod also emits its own names ("starts_with") that editors flag. */
const STANDARD_FORMATS = new Set([
  'date-time',
  'date',
  'time',
  'email',
  'idn-email',
  'hostname',
  'idn-hostname',
  'ipv4',
  'ipv6',
  'uri',
  'uri-reference',
  'iri',
  'iri-reference',
  'uri-template',
  'json-pointer',
  'relative-json-pointer',
  'regex',
]);

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SCHEMA_MAPS = new Set(['properties', 'definitions', '$defs', 'patternProperties']);
const SCHEMA_LISTS = new Set(['anyOf', 'allOf', 'oneOf']);
const SCHEMA_ONE = new Set(['items', 'additionalProperties', 'propertyNames', 'not', 'contains']);

/** Drops non-standard formats and the 2^53 bounds zod gives every integer, at every depth. */
function tidy(node: unknown): unknown {
  if (!isSchema(node)) return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'format' && typeof value === 'string' && !STANDARD_FORMATS.has(value)) continue;
    const bound = key === 'maximum' || key === 'minimum';
    if (bound && Math.abs(Number(value)) === Number.MAX_SAFE_INTEGER) continue;
    if (SCHEMA_MAPS.has(key) && isSchema(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tidy(v)]));
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map(tidy);
    } else if (SCHEMA_ONE.has(key)) {
      out[key] = tidy(value);
    } else {
      out[key] = value; // keywords and values (default, const, enum) as they are
    }
  }
  return out;
}

/**
 * The schema of the file as written (io: 'input': defaults optional, units as text), in
 * draft-07, which every YAML/JSON editor plugin understands.
 */
export function configJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(ConfigSchema, {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'any',
  }) as JsonSchema;
  const schema = tidy(generated) as JsonSchema;
  const properties = isSchema(schema.properties) ? schema.properties : {};
  return {
    ...schema,
    title: 'porta configuration (porta.yaml)',
    properties: {
      $schema: {
        type: 'string',
        description: 'The JSON Schema of this file, for editors; porta ignores it.',
      },
      ...properties,
    },
  };
}

/** `porta schema` output: pretty JSON with a final newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
