// Reads the parser conformance cases (test/http1-cases/*.md, format in README.md) and renders parser events as case lines.
import type { ParserLimits } from '../../src/http1/request-parser.js';

export const DEFAULT_LIMITS: ParserLimits = {
  maxRequestLine: 8192,
  maxHeaderSize: 32768,
  maxHeaders: 100,
  maxBodySize: 1048576,
};

/** One case of a case file. */
export interface ParserCase {
  readonly name: string;
  readonly line: number;
  readonly input: Buffer;
  readonly expected: readonly string[];
  readonly limits: ParserLimits;
  readonly skip: string | null;
}

/** Detail lines of a head, in the order they are compared; only kinds a case mentions count. */
export const DETAIL_KINDS = [
  'path',
  'query',
  'host',
  'keep-alive',
  'framing',
  'expect-continue',
  'upgrade',
] as const;

const LIMIT_KEYS = new Set(['maxRequestLine', 'maxHeaderSize', 'maxHeaders', 'maxBodySize']);

/** Parses one case file; throws with file:line on a malformed case so typos cannot pass silently. */
export function parseCaseFile(file: string, text: string): ParserCase[] {
  const lines = text.split('\n');
  const cases: ParserCase[] = [];
  const names = new Set<string>();
  let current: {
    name: string;
    line: number;
    input: Buffer | null;
    expected: string[] | null;
    limits: Record<string, number>;
    skip: string | null;
  } | null = null;
  const where = (index: number): string => `${file}:${index + 1}`;
  const finish = (): void => {
    if (current === null) return;
    if (current.input === null || current.expected === null) {
      throw new Error(`${where(current.line)}: case "${current.name}" needs an http and an events block`);
    }
    cases.push({
      name: current.name,
      line: current.line + 1,
      input: current.input,
      expected: current.expected,
      limits: { ...DEFAULT_LIMITS, ...current.limits },
      skip: current.skip,
    });
    current = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trimEnd();
    const heading = /^#{2,3} (.+)$/.exec(line);
    if (heading !== null) {
      finish();
      const name = (heading[1] as string).trim();
      if (names.has(name)) throw new Error(`${where(i)}: duplicate case name "${name}"`);
      names.add(name);
      current = { name, line: i, input: null, expected: null, limits: {}, skip: null };
      continue;
    }
    if (current === null) continue;
    if (line.startsWith('limits:')) {
      for (const pair of line.slice(7).trim().split(/\s+/)) {
        const [key, value] = pair.split('=');
        if (key === undefined || !LIMIT_KEYS.has(key) || value === undefined || !/^\d+$/.test(value)) {
          throw new Error(`${where(i)}: bad limit "${pair}"`);
        }
        current.limits[key] = Number(value);
      }
    } else if (line.startsWith('skip:')) {
      current.skip = line.slice(5).trim();
    } else if (line === '```http' || line === '```events') {
      const block: string[] = [];
      let j = i + 1;
      while (j < lines.length && (lines[j] as string).trimEnd() !== '```') block.push(lines[j++] as string);
      if (j >= lines.length) throw new Error(`${where(i)}: unclosed block`);
      if (line === '```http') {
        current.input = Buffer.concat(block.map((text, k) => unescapeInput(text, where(i + 1 + k))));
      } else {
        current.expected = block.map((text) => text.trim()).filter((text) => text !== '');
      }
      i = j;
    }
  }
  finish();
  return cases;
}

const SIMPLE_ESCAPES: Record<string, number> = { r: 13, n: 10, t: 9, s: 32, '\\': 92 };

/** Turns one visible input line into bytes: `\r`, `\n`, `\t`, `\s`, `\\`, `\xHH`, Latin-1 otherwise. */
export function unescapeInput(text: string, where: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x5c) {
      if (c > 0xff) throw new Error(`${where}: character outside Latin-1 in input`);
      bytes.push(c);
      continue;
    }
    const next = text[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      bytes.push(simple);
      i++;
    } else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      throw new Error(`${where}: unknown escape "\\${next}" in input`);
    }
  }
  return Buffer.from(bytes);
}

/** Shows bytes the way case files write them: printable ASCII as is, escapes for the rest. */
export function visible(bytes: Buffer, quote: boolean): string {
  let out = '';
  for (const c of bytes) {
    if (c === 13) out += '\\r';
    else if (c === 10) out += '\\n';
    else if (c === 9) out += '\\t';
    else if (c === 0x5c) out += '\\\\';
    else if (quote && c === 0x22) out += '\\"';
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}

const kindOf = (line: string): string => {
  const space = line.indexOf(' ');
  return space < 0 ? line : line.slice(0, space);
};

/**
 * Puts event lines in the form they are compared in: detail lines of kinds the expected lines
 * never mention are dropped, and each head's detail lines go after its headers in DETAIL_KINDS
 * order, so a case may list them in any order.
 */
export function normalizeEvents(lines: readonly string[], kinds: ReadonlySet<string>): string[] {
  const out: string[] = [];
  let details: string[] = [];
  const flush = (): void => {
    details.sort(
      (a, b) =>
        DETAIL_KINDS.indexOf(kindOf(a) as (typeof DETAIL_KINDS)[number]) -
        DETAIL_KINDS.indexOf(kindOf(b) as (typeof DETAIL_KINDS)[number]),
    );
    out.push(...details);
    details = [];
  };
  for (const line of lines) {
    const kind = kindOf(line);
    if ((DETAIL_KINDS as readonly string[]).includes(kind)) {
      if (kinds.has(kind)) details.push(line);
    } else if (kind === 'header') {
      out.push(line);
    } else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out;
}

/** The detail kinds a case's expected events mention. */
export function mentionedKinds(expected: readonly string[]): Set<string> {
  const kinds = new Set<string>();
  for (const line of expected) {
    const kind = kindOf(line);
    if ((DETAIL_KINDS as readonly string[]).includes(kind)) kinds.add(kind);
  }
  return kinds;
}
