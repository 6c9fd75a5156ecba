// Line and column of every key and value in a parsed YAML (or JSON) document, looked up by key path.
import {
  type Document,
  type LineCounter,
  type Node,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
} from 'yaml';
import type { PositionIndex, SourcePosition } from './config-error.js';

interface Entry {
  /** Where the key is written (mapping entries only). */
  readonly key?: SourcePosition;
  /** Where the value starts. */
  readonly value: SourcePosition;
}

/** Finds where a key path is written; falls back to the nearest enclosing entry that exists. */
// Kept beside the error types, so validating a config built in code never loads the YAML parser.
export { NO_POSITIONS, type PositionIndex } from './config-error.js';

function pathKey(path: readonly PropertyKey[]): string {
  // NUL never occurs in YAML keys we index, so it separates steps unambiguously.
  return path
    .map((step) => (typeof step === 'number' ? `#${step}` : `.${String(step)}`))
    .join('\0');
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

/** Indexes a document parsed with a LineCounter. */
export function indexPositions(document: Document, lines: LineCounter): PositionIndex {
  const entries = new Map<string, Entry>();
  const at = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const start = (node: unknown): number | undefined => {
    if (isScalar(node) || isMap(node) || isSeq(node) || isAlias(node)) return node.range?.[0];
    return undefined;
  };
  const visit = (node: unknown, path: PropertyKey[], depth: number): void => {
    // Aliases are followed once so positions inside an anchored block are found; the depth
    // bound stops alias loops the parser would reject anyway.
    if (depth > 64) return;
    const target: unknown = isAlias(node) ? node.resolve(document) : node;
    if (isMap(target)) {
      for (const pair of target.items) {
        if (!isPair(pair)) continue;
        const name = keyText(pair.key);
        if (name === '<<') {
          // A merge key (<<: *defaults): its entries count as this mapping's, unless written here too.
          visitMerge(pair.value as Node | null, path, depth);
          continue;
        }
        record([...path, name], pair.key, pair.value);
        visit(pair.value, [...path, name], depth + 1);
      }
    } else if (isSeq(target)) {
      target.items.forEach((item, index) => {
        record([...path, index], undefined, item);
        visit(item, [...path, index], depth + 1);
      });
    }
  };
  const visitMerge = (value: Node | null, path: PropertyKey[], depth: number): void => {
    const sources = isSeq(value) ? value.items : [value];
    for (const source of sources) {
      const resolved: unknown = isAlias(source) ? source.resolve(document) : source;
      if (!isMap(resolved)) continue;
      for (const pair of resolved.items) {
        const name = keyText(pair.key);
        if (!entries.has(pathKey([...path, name]))) {
          record([...path, name], pair.key, pair.value);
          visit(pair.value, [...path, name], depth + 1);
        }
      }
    }
  };
  const record = (path: PropertyKey[], key: unknown, value: unknown): void => {
    const keyOffset = start(key);
    // An empty value (`echo:` and nothing) starts where the line ends: point at its key instead.
    const empty = isScalar(value) && value.value === null && value.range?.[0] === value.range?.[1];
    const valueOffset = (empty ? undefined : start(value)) ?? keyOffset;
    if (valueOffset === undefined) return;
    entries.set(pathKey(path), {
      ...(keyOffset === undefined ? {} : { key: at(keyOffset) }),
      value: at(valueOffset),
    });
  };
  const rootOffset = start(document.contents);
  const root: SourcePosition | undefined = rootOffset === undefined ? undefined : at(rootOffset);
  visit(document.contents, [], 0);
  return {
    locate(path, options = {}) {
      for (let length = path.length; length > 0; length--) {
        const entry = entries.get(pathKey(path.slice(0, length)));
        if (entry === undefined) continue;
        // A missing child points at its parent's key: "sites[0]: missing routes" -> the site.
        const wantKey = options.key === true || length < path.length;
        return (wantKey ? entry.key : undefined) ?? entry.value;
      }
      return root;
    },
  };
}
