// Reads porta.yaml (or .json): parse with line numbers, expand ${VARS}, validate; every problem at once, with file:line:column.
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { PortaError } from '../errors.js';
import { ConfigError, type ConfigProblem, type SourcePosition } from './config-error.js';
import { type Env, expandEnvInTree } from './env.js';
import { acceptedKinds, acceptsText } from './schema-at-path.js';
import { type Config, ConfigSchema } from './schema.js';
import { NO_POSITIONS, type PositionIndex, indexPositions } from './source-positions.js';
import { checkConfig, locateProblems } from './validate.js';

import { DEFAULT_CONFIG_FILE } from './config-file-name.js';

export { DEFAULT_CONFIG_FILE };

export interface LoadedConfig {
  /** Validated, defaults filled in, `base_dir` set. */
  readonly config: Config;
  /** The folder relative paths in the config start from: the config file's folder, or `base_dir`. */
  readonly baseDir: string;
  /** The file as the user named it, for messages ("porta.yaml"). */
  readonly source: string;
  /** The absolute path, to read again on reload. */
  readonly path: string;
  /** Where a key path is in the file, for problems found after loading (`porta check`). */
  readonly positions: PositionIndex;
}

export interface LoadOptions {
  /** Variables for ${NAME}; process.env by default. */
  readonly env?: Env;
  /** The command reading the file, for the "name another file" hint ("run", "check"). */
  readonly command?: string;
}

export interface ParseOptions {
  /** How messages name the file. */
  readonly source: string;
  readonly format: 'yaml' | 'json';
  /** Folder relative paths start from (and a relative `base_dir` too). */
  readonly baseDir: string;
  readonly env?: Env;
}

/** JSON for .json files, YAML for everything else (.yaml, .yml, no extension). */
export function formatOf(file: string): 'yaml' | 'json' {
  return extname(file).toLowerCase() === '.json' ? 'json' : 'yaml';
}

/** Reads, parses and validates a config file; throws PortaError (ConfigError for its content). */
export async function loadConfigFile(
  file: string | undefined,
  options: LoadOptions = {},
): Promise<LoadedConfig> {
  const source = file ?? DEFAULT_CONFIG_FILE;
  const path = resolve(source);
  const text = await readConfigText(source, path, file === undefined, options.command ?? 'run');
  const { config, positions } = parseLocated(text, {
    source,
    format: formatOf(source),
    baseDir: dirname(path),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  return { config, baseDir: config.base_dir ?? dirname(path), source, path, positions };
}

async function readConfigText(
  source: string,
  path: string,
  implicit: boolean,
  command: string,
): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const other = `\`porta ${command} -c <file>\``;
    let message: string;
    if (code === 'ENOENT' && implicit) {
      message = `no ${source} in ${dirname(path)}; write one (see examples/), or name a config file with ${other}`;
    } else if (code === 'ENOENT') {
      message = `config file ${source} not found (${path}); check the path, or name another with ${other}`;
    } else if (code === 'EISDIR') {
      message = `config file ${source} is a folder, not a file; name the file with ${other}`;
    } else if (code === 'EACCES' || code === 'EPERM') {
      message = `cannot read config file ${source}: permission denied`;
    } else {
      message = `cannot read config file ${source}: ${error instanceof Error ? error.message : String(error)}`;
    }
    throw new PortaError('PORTA_CONFIG_INVALID', message, { cause: error });
  }
}

/** Parses, expands and validates config text; throws ConfigError with every problem. */
export function parseConfigText(text: string, options: ParseOptions): Config {
  return parseLocated(text, options).config;
}

function parseLocated(
  text: string,
  options: ParseOptions,
): { config: Config; positions: PositionIndex } {
  const { source } = options;
  // A BOM some editors write is not content.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parsed = options.format === 'json' ? parseJson(body, source) : parseYaml(body, source);
  if (!parsed.ok) throw new ConfigError(parsed.problems);
  const { tree, positions } = parsed;
  const problems: ConfigProblem[] = [];
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) {
    const got =
      tree === null || tree === undefined
        ? 'an empty file'
        : Array.isArray(tree)
          ? 'a list'
          : 'a single value';
    problems.push({
      source,
      path: [],
      message: `expected a mapping with sites: and/or streams: at the top, got ${got}`,
      ...locate(positions, []),
    });
    throw new ConfigError(problems);
  }
  const expanded = expandEnvInTree(withoutSchemaKey(tree), options.env ?? process.env, coerce);
  problems.push(...locateProblems(expanded.problems, source, positions));
  const result = checkConfig(withBaseDir(expanded.value, options.baseDir), { source, positions });
  if (!result.ok) {
    // A value whose ${VAR} failed is still "${VAR}": its schema complaint would only repeat.
    const envPaths = new Set(expanded.problems.map((p) => JSON.stringify(p.path)));
    problems.push(...result.problems.filter((p) => !envPaths.has(JSON.stringify(p.path))));
  } else if (result.config.sites.length === 0 && result.config.streams.length === 0) {
    problems.push({
      source,
      path: [],
      message: 'nothing to serve: add a site under sites: or a listener under streams:',
      ...locate(positions, []),
    });
  }
  if (problems.length > 0 || !result.ok) throw new ConfigError(problems);
  return { config: result.config, positions };
}

function locate(
  positions: PositionIndex,
  path: readonly PropertyKey[],
): { position?: SourcePosition } {
  const position = positions.locate(path);
  return position === undefined ? {} : { position };
}

type Parsed =
  | { readonly ok: true; readonly tree: unknown; readonly positions: PositionIndex }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

function parseYaml(text: string, source: string): Parsed {
  const lines = new LineCounter();
  const document = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    merge: true,
    uniqueKeys: true,
  });
  if (document.errors.length > 0) {
    // One error per line: the parser often reports the same slip several times.
    const seenLines = new Set<number>();
    const problems: ConfigProblem[] = [];
    for (const error of document.errors) {
      const { line, col } = lines.linePos(error.pos[0]);
      if (seenLines.has(line)) continue;
      seenLines.add(line);
      problems.push({
        source,
        path: [],
        position: { line, column: col },
        message: `YAML syntax: ${error.message}`,
      });
    }
    return { ok: false, problems };
  }
  try {
    const tree: unknown = document.toJS({ maxAliasCount: 100 });
    return { ok: true, tree, positions: indexPositions(document, lines) };
  } catch (error) {
    // Unresolved aliases and alias bombs surface only when the tree is built.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [{ source, path: [], message: `YAML: ${message}` }] };
  }
}

function parseJson(text: string, source: string): Parsed {
  let tree: unknown;
  try {
    tree = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /at position (\d+)/.exec(message);
    const offset = at === null ? text.length : Number(at[1]);
    const lines = new LineCounter();
    lines.addNewLine(0);
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1))
      lines.addNewLine(i + 1);
    const { line, col } = lines.linePos(offset);
    const reason = message
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/ \(line \d+ column \d+\)$/, '');
    return {
      ok: false,
      problems: [
        { source, path: [], position: { line, column: col }, message: `JSON syntax: ${reason}` },
      ],
    };
  }
  // JSON is YAML 1.2, so the YAML parser finds the positions; the values come from JSON.parse.
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  const positions = document.errors.length === 0 ? indexPositions(document, lines) : NO_POSITIONS;
  return { ok: true, tree, positions };
}

/** Editors read a top-level "$schema" key to find the JSON Schema; porta ignores it. */
function withoutSchemaKey(tree: object): object {
  if (!Object.hasOwn(tree, '$schema')) return tree;
  const copy: Record<string, unknown> = { ...(tree as Record<string, unknown>) };
  delete copy.$schema;
  return copy;
}

/** Sets `base_dir` to an absolute folder: the one written (relative to the file), else the file's. */
function withBaseDir(tree: unknown, fileDir: string): unknown {
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) return tree;
  const written = (tree as Record<string, unknown>).base_dir;
  if (written !== undefined && typeof written !== 'string') return tree; // the schema reports it
  return { ...tree, base_dir: resolve(fileDir, written ?? '.') };
}

/**
 * A value that is one ${VAR} and nothing else becomes a number (or true/false) where the
 * schema takes a number (boolean) but not this text: `max_headers: ${MAX_HEADERS}`,
 * `workers: ${WORKERS}` ("auto" stays text). Elsewhere, listen addresses and sizes
 * included, it stays text, as those take text anyway.
 */
function coerce(path: readonly (string | number)[], text: string): unknown {
  if (acceptsText(ConfigSchema, path, text)) return text;
  const kinds = acceptedKinds(ConfigSchema, path);
  if (kinds.has('number') && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  if (kinds.has('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}
