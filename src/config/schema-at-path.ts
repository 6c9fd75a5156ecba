// Looks up what the zod schema allows at a key path: the keys of an object there, the value types it accepts.
import { z } from 'zod';

type Schema = z.core.$ZodType;
type Step = PropertyKey;

/** The JSON-ish kinds a value can have, as a config file writes them. */
export type ValueKind = 'string' | 'number' | 'boolean' | 'list' | 'mapping' | 'null';

/**
 * The schemas a value must match, with wrappers (optional, default, pipe...) peeled off and
 * unions spread into their options.
 */
function expand(schema: Schema, out: Schema[] = [], depth = 0): Schema[] {
  // Deep wrapper chains do not occur in our schema; the bound only guards against z.lazy cycles.
  if (depth > 32) return out;
  if (schema instanceof z.ZodNullable) {
    out.push(z.null());
    return expand(schema.unwrap(), out, depth + 1);
  }
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodNonOptional ||
    schema instanceof z.ZodReadonly ||
    schema instanceof z.ZodCatch ||
    schema instanceof z.ZodLazy
  ) {
    return expand(schema.unwrap(), out, depth + 1);
  }
  if (schema instanceof z.ZodPipe) return expand(schema.in, out, depth + 1);
  if (schema instanceof z.ZodUnion) {
    for (const option of schema.options) expand(option, out, depth + 1);
    return out;
  }
  out.push(schema);
  return out;
}

function childrenOf(schema: Schema, step: Step): Schema[] {
  if (schema instanceof z.ZodObject && typeof step === 'string') {
    const shape = schema.shape as Record<string, Schema | undefined>;
    const child = Object.hasOwn(shape, step) ? shape[step] : undefined;
    return child === undefined ? [] : [child];
  }
  if (schema instanceof z.ZodArray && typeof step === 'number') return [schema.element];
  if (schema instanceof z.ZodRecord && typeof step === 'string') return [schema.valueType];
  return [];
}

/** Every schema a value at `path` may match (several when unions are on the way). */
export function schemasAt(root: Schema, path: readonly Step[]): Schema[] {
  let current = expand(root);
  for (const step of path) {
    current = current.flatMap((schema) => childrenOf(schema, step)).flatMap((s) => expand(s));
    if (current.length === 0) break;
  }
  return current;
}

/** The keys an object at `path` allows, in schema order (empty when no object is allowed there). */
export function allowedKeys(root: Schema, path: readonly Step[]): string[] {
  const keys = new Set<string>();
  for (const schema of schemasAt(root, path)) {
    if (schema instanceof z.ZodObject) for (const key of Object.keys(schema.shape)) keys.add(key);
  }
  return [...keys];
}

function kindOf(schema: Schema): ValueKind[] {
  if (schema instanceof z.ZodString || schema instanceof z.ZodEnum) return ['string'];
  if (schema instanceof z.ZodNumber) return ['number'];
  if (schema instanceof z.ZodBoolean) return ['boolean'];
  if (schema instanceof z.ZodNull) return ['null'];
  if (schema instanceof z.ZodArray) return ['list'];
  if (schema instanceof z.ZodObject || schema instanceof z.ZodRecord) return ['mapping'];
  if (schema instanceof z.ZodLiteral) {
    return [...schema.values].map((v): ValueKind => {
      if (typeof v === 'number') return 'number';
      if (typeof v === 'boolean') return 'boolean';
      return v === null ? 'null' : 'string';
    });
  }
  return [];
}

/** The kinds of value accepted at `path`. */
export function acceptedKinds(root: Schema, path: readonly Step[]): Set<ValueKind> {
  return new Set(schemasAt(root, path).flatMap(kindOf));
}

/**
 * Whether text is a valid kind of value at `path`: any string, or one of its literal or enum
 * options ("auto" for `workers`, but not "2").
 */
export function acceptsText(root: Schema, path: readonly Step[], text: string): boolean {
  return schemasAt(root, path).some((schema) => {
    if (schema instanceof z.ZodString) return true;
    if (schema instanceof z.ZodEnum) return Object.values(schema.enum).includes(text);
    if (schema instanceof z.ZodLiteral) return schema.values.has(text);
    return false;
  });
}

/**
 * Where else a key is allowed ("routes" -> ["sites[].routes"]), so a key put at the wrong level
 * can say where it belongs.
 */
export function placesOfKey(root: Schema, key: string, limit = 3): string[] {
  const found: string[] = [];
  const seen = new Set<Schema>();
  const visit = (schema: Schema, where: string): void => {
    for (const s of expand(schema)) {
      if (seen.has(s) || found.length >= limit) continue;
      seen.add(s);
      if (s instanceof z.ZodObject) {
        const shape: Record<string, Schema> = s.shape;
        for (const [name, child] of Object.entries(shape)) {
          const place = where === '' ? name : `${where}.${name}`;
          if (name === key) found.push(place);
          visit(child, place);
        }
      } else if (s instanceof z.ZodArray) {
        visit(s.element, `${where}[]`);
      } else if (s instanceof z.ZodRecord) {
        visit(s.valueType, `${where}.<name>`);
      }
    }
  };
  visit(root, '');
  return found;
}
