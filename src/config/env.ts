// Environment variables in config values: ${NAME}, ${NAME:-default}, ${NAME:?message} and $$, as shells and compose files write them.

/** The variables to read (process.env, or a fixed map in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

/** The result of expanding one string. */
export type Expansion =
  | {
      readonly ok: true;
      readonly value: string;
      /** The text was one reference and nothing else ("${PORT}"), so its result may become a number. */
      readonly whole: boolean;
    }
  | { readonly ok: false; readonly message: string };

const FORMS = '${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message} or $$ for a literal $';

function isNameStart(c: number): boolean {
  const lower = c | 0x20; // ASCII letters differ in case by this one bit
  return (lower >= 0x61 && lower <= 0x7a) || c === 0x5f;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39);
}

/**
 * Expands every reference in `text`. A "$" not followed by "{" or "$" stays as it is, so
 * password hashes like "$2b$10$..." need no escaping; "$$" is always one "$".
 */
export function expandEnv(text: string, env: Env): Expansion {
  if (!text.includes('$')) return { ok: true, value: text, whole: false };
  let out = '';
  let i = 0;
  let references = 0;
  let literal = false;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar === -1) {
      out += text.slice(i);
      literal = true;
      break;
    }
    if (dollar > i) literal = true;
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      literal = true;
      i = dollar + 2;
      continue;
    }
    if (next !== '{') {
      out += '$';
      literal = true;
      i = dollar + 1;
      continue;
    }
    const close = text.indexOf('}', dollar + 2);
    if (close === -1) {
      return { ok: false, message: `"${text}" has a "\${" without its "}": write ${FORMS}` };
    }
    const resolved = resolveReference(text.slice(dollar + 2, close), env);
    if (!resolved.ok) return resolved;
    out += resolved.value;
    references++;
    i = close + 1;
  }
  return { ok: true, value: out, whole: references === 1 && !literal };
}

/** One reference without its "${" and "}": "PORT", "PORT:-8080", "TOKEN:?set it in .env". */
function resolveReference(
  body: string,
  env: Env,
): { ok: true; value: string } | { ok: false; message: string } {
  let end = 0;
  if (body.length > 0 && isNameStart(body.charCodeAt(0))) {
    end = 1;
    while (end < body.length && isNamePart(body.charCodeAt(end))) end++;
  }
  const name = body.slice(0, end);
  if (name === '') {
    return { ok: false, message: `"\${${body}}" is not a variable reference: write ${FORMS}` };
  }
  const value = env[name];
  const rest = body.slice(end);
  if (rest === '') {
    if (value !== undefined) return { ok: true, value };
    return {
      ok: false,
      message: `environment variable ${name} is not set (set it, or give a default: \${${name}:-value})`,
    };
  }
  // ":-" and ":?" treat an empty variable as unset; "-" and "?" only an unset one (POSIX sh).
  const colon = rest.startsWith(':');
  const operator = colon ? rest[1] : rest[0];
  const argument = rest.slice(colon ? 2 : 1);
  const missing = value === undefined || (colon && value === '');
  if (operator === '-') return { ok: true, value: missing ? argument : value };
  if (operator === '?') {
    if (!missing) return { ok: true, value };
    const why = value === undefined ? 'is not set' : 'is empty';
    return {
      ok: false,
      message: `environment variable ${name} ${why}${argument === '' ? '' : `: ${argument}`}`,
    };
  }
  return { ok: false, message: `"\${${body}}" is not a variable reference: write ${FORMS}` };
}

/** A problem found while expanding a tree: where (key path) and what. */
export interface EnvProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Turns the text of a whole-value reference into another type where the schema wants one
 * (PORT=8080 for a number field); returns the text itself to keep it a string.
 */
export type Coerce = (path: readonly (string | number)[], text: string) => unknown;

/**
 * Expands every string value (not keys) of a parsed YAML/JSON tree into a new tree; collects
 * every problem instead of stopping at the first.
 */
export function expandEnvInTree(
  tree: unknown,
  env: Env,
  coerce: Coerce = (_path, text) => text,
): { readonly value: unknown; readonly problems: readonly EnvProblem[] } {
  const problems: EnvProblem[] = [];
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === 'string') {
      const expansion = expandEnv(value, env);
      if (!expansion.ok) {
        problems.push({ path: [...path], message: expansion.message });
        return value;
      }
      return expansion.whole ? coerce(path, expansion.value) : expansion.value;
    }
    if (Array.isArray(value)) {
      return value.map((item: unknown, index) => walk(item, [...path, index]));
    }
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        // defineProperty, so a "__proto__" key stays a key and never becomes a prototype.
        Object.defineProperty(out, key, {
          value: walk(item, [...path, key]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    return value;
  };
  const value = walk(tree, []);
  return { value, problems };
}
