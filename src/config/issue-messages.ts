// Turns zod issues into "expected X, got Y" messages with the actual value, and unknown keys into "did you mean" hints.
import type { z } from 'zod';
import { describeValue, quote } from './config-error.js';
import { didYouMean } from './did-you-mean.js';
import { acceptedKinds, allowedKeys, placesOfKey } from './schema-at-path.js';

type Issue = z.core.$ZodIssue;

/** A problem before it gets a file name and position. */
export interface IssueProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** Point at the key rather than the value (unknown keys, bad record keys). */
  readonly atKey?: boolean;
  readonly unknownKey?: string;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  null: 'an empty value',
  bigint: 'a whole number',
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** A hint for the usual type slips of hand-written YAML. */
function typeHint(
  expected: string,
  value: unknown,
  path: readonly PropertyKey[],
  root: z.core.$ZodType,
): string {
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return ` (quote it: "${String(value)}")`;
  }
  if ((expected === 'number' || expected === 'int') && typeof value === 'string') {
    if (value.trim() !== '' && Number.isFinite(Number(value)))
      return ` (remove the quotes: ${value})`;
  }
  if (expected === 'array' && isScalar(value)) {
    const itemKinds = acceptedKinds(root, [...path, 0]);
    const item = itemKinds.has('string') ? String(value) : value;
    return ` (write a list: [${JSON.stringify(item)}])`;
  }
  if (expected === 'object' && value === null) return ' (write {} for an empty mapping)';
  return '';
}

function sizeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  const got = describeValue(issue.input);
  if (issue.origin === 'array' || issue.origin === 'set') {
    const count = `${bound} item${bound === 1 ? '' : 's'}`;
    return `expected ${small ? 'at least' : 'at most'} ${count}, got ${got}`;
  }
  if (issue.origin === 'string') {
    if (small && bound === 1) return `expected a non-empty string, got ${got}`;
    return `expected ${small ? 'at least' : 'at most'} ${bound} characters, got ${got}`;
  }
  const inclusive = issue.inclusive !== false;
  const sign = small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
  return `expected a number ${sign} ${bound}, got ${got}`;
}

function formatMessage(issue: z.core.$ZodIssueInvalidStringFormat): string {
  const got = describeValue(issue.input);
  if (!issue.message.startsWith('Invalid')) return withGot(issue.message, issue.input);
  if (issue.format === 'starts_with' && 'prefix' in issue) {
    return `expected text starting with ${JSON.stringify(issue.prefix)}, got ${got}`;
  }
  if (issue.format === 'ends_with' && 'suffix' in issue) {
    return `expected text ending with ${JSON.stringify(issue.suffix)}, got ${got}`;
  }
  if (issue.format === 'regex' && issue.pattern !== undefined) {
    return `expected text matching ${issue.pattern}, got ${got}`;
  }
  if (issue.format === 'url') return `expected a URL like http://host:port, got ${got}`;
  return `expected a valid ${issue.format}, got ${got}`;
}

/** Adds ", got <value>" to our own schema messages ("expected a size like …") when it helps. */
function withGot(message: string, value: unknown): string {
  // Messages that already quote the value ('"ftp://x": only http:// ...') need no repeat.
  const shown = describeValue(value);
  if (!isScalar(value) || message.includes(', got ') || message.includes(shown)) return message;
  return `${message}, got ${shown}`;
}

function valueMessage(values: readonly unknown[], input: unknown): string {
  const shown = values.map(quote);
  const expected = values.length === 1 ? shown.join('') : `one of ${joinOr(shown)}`;
  const strings = values.filter((v): v is string => typeof v === 'string');
  const guess = typeof input === 'string' ? didYouMean(input, strings) : undefined;
  const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
  return `expected ${expected}, got ${describeValue(input)}${hint}`;
}

/** A union where no option matched even the type: "expected "auto" or a number, got "x"". */
function unionMessage(issue: z.core.$ZodIssueInvalidUnion): IssueProblem[] | null {
  const expected: string[] = [];
  for (const branch of issue.errors) {
    const [only, ...more] = branch;
    if (only === undefined || more.length > 0 || only.path.length > 0) return null;
    if (only.code === 'invalid_type') expected.push(typeName(only.expected));
    else if (only.code === 'invalid_value') {
      expected.push(...only.values.map(quote));
    } else return null;
  }
  if (expected.length === 0) return null;
  const unique = [...new Set(expected)];
  const message = `expected ${joinOr(unique)}, got ${describeValue(issue.input)}`;
  return [{ path: issue.path, message }];
}

function unknownKeyProblems(
  issue: z.core.$ZodIssueUnrecognizedKeys,
  root: z.core.$ZodType,
): IssueProblem[] {
  const allowed = allowedKeys(root, issue.path);
  return issue.keys.map((key) => {
    const guess = didYouMean(key, allowed);
    let message: string;
    if (guess !== undefined) {
      message = `unknown key, did you mean \`${guess}\`?`;
    } else {
      const places = placesOfKey(root, key);
      message =
        places.length > 0
          ? `unknown key here; \`${key}\` belongs in ${places.join(' or ')}`
          : `unknown key; allowed here: ${allowed.join(', ')}`;
    }
    return { path: [...issue.path, key], message, atKey: true, unknownKey: key };
  });
}

/** The problems one zod issue stands for (an unknown-keys issue lists several keys). */
export function problemsFromIssue(issue: Issue, root: z.core.$ZodType): IssueProblem[] {
  const got = describeValue(issue.input);
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined && issue.path.length > 0) {
        const key = String(issue.path[issue.path.length - 1]);
        return [{ path: issue.path.slice(0, -1), message: `missing required key \`${key}\`` }];
      }
      const hint = typeHint(issue.expected, issue.input, issue.path, root);
      return [
        { path: issue.path, message: `expected ${typeName(issue.expected)}, got ${got}${hint}` },
      ];
    }
    case 'too_small':
    case 'too_big':
      return [{ path: issue.path, message: sizeMessage(issue) }];
    case 'invalid_format':
      return [{ path: issue.path, message: formatMessage(issue) }];
    case 'not_multiple_of':
      return [
        {
          path: issue.path,
          message: `expected a multiple of ${String(issue.divisor)}, got ${got}`,
        },
      ];
    case 'invalid_value':
      return [{ path: issue.path, message: valueMessage(issue.values, issue.input) }];
    case 'unrecognized_keys':
      return unknownKeyProblems(issue, root);
    case 'invalid_union': {
      const simple = unionMessage(issue);
      if (simple !== null) return simple;
      // Options that matched the type but failed inside: report the closest one's problems.
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      const inner = closest.flatMap((i) =>
        problemsFromIssue({ ...i, path: [...issue.path, ...i.path] }, root),
      );
      return inner.length > 0 ? inner : [{ path: issue.path, message: `unexpected ${got}` }];
    }
    case 'invalid_key': {
      const inner = issue.issues[0]?.message;
      const why = inner === undefined || inner.startsWith('Invalid') ? 'not allowed here' : inner;
      return [{ path: issue.path, message: `key ${got}: ${why}`, atKey: true }];
    }
    case 'invalid_element':
      return [{ path: issue.path, message: `${issue.message}, got ${got}` }];
    case 'custom':
      return [{ path: issue.path, message: withGot(issue.message, issue.input) }];
  }
}
