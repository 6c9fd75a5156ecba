// Validates a config tree against the schema and the listen rules; every problem at once, with its key path and position.
import {
  ConfigError,
  type ConfigProblem,
  NO_POSITIONS,
  type PositionIndex,
  formatKeyPath,
} from './config-error.js';
import { type IssueProblem, problemsFromIssue } from './issue-messages.js';
import { listenProblems } from './listen-conflicts.js';
import { type Config, ConfigSchema } from './schema.js';

export { formatKeyPath };

export interface ValidateOptions {
  /** The file as the user named it; "config" for configs built in code. */
  readonly source?: string;
  /** Line and column of each key path, from the YAML document. */
  readonly positions?: PositionIndex;
}

export type Validation =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Gives issue problems their file name and position. */
export function locateProblems(
  problems: readonly IssueProblem[],
  source: string,
  positions: PositionIndex,
): ConfigProblem[] {
  return problems.map((problem) => {
    const position = positions.locate(problem.path, { key: problem.atKey === true });
    return {
      source,
      path: problem.path,
      message: problem.message,
      ...(position === undefined ? {} : { position }),
      ...(problem.unknownKey === undefined ? {} : { unknownKey: problem.unknownKey }),
    };
  });
}

/** Checks a parsed config tree; returns the config with defaults filled in, or every problem. */
export function checkConfig(input: unknown, options: ValidateOptions = {}): Validation {
  const source = options.source ?? 'config';
  const positions = options.positions ?? NO_POSITIONS;
  const result = ConfigSchema.safeParse(input, { reportInput: true });
  const found: IssueProblem[] = result.success
    ? []
    : result.error.issues.flatMap((issue) => problemsFromIssue(issue, ConfigSchema));
  found.push(...listenProblems(result.success ? result.data : input, result.success));
  if (result.success && found.length === 0) return { ok: true, config: result.data };
  return { ok: false, problems: locateProblems(found, source, positions) };
}

/** Returns the config with defaults filled in, or throws a ConfigError listing every problem. */
export function validateConfig(input: unknown, source = 'config'): Config {
  const result = checkConfig(input, { source });
  if (result.ok) return result.config;
  throw new ConfigError(result.problems);
}
