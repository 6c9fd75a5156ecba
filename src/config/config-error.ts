// Config problems a user can act on: `porta.yaml:14:7 sites[0].routes[2].redirect.to: expected …, got …`, all in one error.
import { PortaError } from '../errors.js';

/** 1-based line and column in the config file. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** One mistake in a config: where it is and what to do about it. */
export interface ConfigProblem {
  /** The file as the user named it ("porta.yaml"), or "config" for one built in code. */
  readonly source: string;
  readonly position?: SourcePosition;
  /** Key path from the top of the document; empty for the document itself. */
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** Set for an unknown key: the key itself (the golden tests skip handlers not built yet). */
  readonly unknownKey?: string;
}

const SIMPLE_KEY = /^[A-Za-z_][\w-]*$/;

/** "sites[0].routes[2].proxy.to"; keys that are not plain words in brackets: `headers["X.Y"]`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && SIMPLE_KEY.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** The one line printed for a problem. */
export function formatProblem(problem: ConfigProblem): string {
  const where =
    problem.position === undefined
      ? `${problem.source}:`
      : `${problem.source}:${problem.position.line}:${problem.position.column}`;
  const keyPath = formatKeyPath(problem.path);
  return keyPath === '' ? `${where} ${problem.message}` : `${where} ${keyPath}: ${problem.message}`;
}

/** JSON text of a config value (numbers, strings, literals); String() for what JSON cannot show. */
export function quote(value: unknown): string {
  // JSON has no text for these (stringify returns undefined, or throws for a bigint).
  const kind = typeof value;
  if (kind === 'undefined' || kind === 'function' || kind === 'symbol' || kind === 'bigint') {
    return String(value);
  }
  return JSON.stringify(value);
}

/** A value as a message quotes it: strings in quotes, short; lists and mappings by their kind. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/** Orders problems by where they are in the file; those without a position keep their order, last. */
function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  if (a.position === undefined || b.position === undefined) {
    return Number(a.position === undefined) - Number(b.position === undefined);
  }
  return a.position.line - b.position.line || a.position.column - b.position.column;
}

/** Every problem of one config, reported together (code PORTA_CONFIG_INVALID). */
export class ConfigError extends PortaError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const sorted = [...problems].sort(byPosition);
    const lines = sorted.map(formatProblem);
    super(
      'PORTA_CONFIG_INVALID',
      lines.length === 1
        ? `invalid configuration: ${lines[0] ?? ''}`
        : `invalid configuration, ${lines.length} errors:\n  ${lines.join('\n  ')}`,
    );
    this.name = 'ConfigError';
    this.problems = sorted;
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}

/** Where each key path is in a config file (source-positions.ts builds one from a YAML document). */
export interface PositionIndex {
  /** The position of the value at `path`, or of its key with `{ key: true }`. */
  locate(
    path: readonly PropertyKey[],
    options?: { readonly key?: boolean },
  ): SourcePosition | undefined;
}

/** An index that knows nothing (configs built in code). */
export const NO_POSITIONS: PositionIndex = { locate: () => undefined };
