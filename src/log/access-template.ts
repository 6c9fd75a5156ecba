// Custom access log formats: nginx `log_format`-style text with $variables, compiled once into a list of parts.
import {
  type AccessFormat,
  type AccessRecord,
  escapeLogValue,
  finishedAt,
  formatStatus,
  formatTimeLocal,
} from './access-format.js';

/** One part of a compiled format: literal text, or a variable read from the record. */
type Part = string | ((record: AccessRecord) => string);

/** An empty or absent value is `-`, as nginx prints unset variables. */
function field(value: string | undefined): string {
  return value === undefined || value === '' ? '-' : escapeLogValue(value);
}

/** Seconds with milliseconds, as nginx's $request_time and $msec: `0.012`. */
function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** nginx's $time_iso8601: local time with its offset, `2026-11-24T18:44:42+01:00`. */
function formatTimeIso(epochMs: number): string {
  const date = new Date(epochMs);
  const offset = -date.getTimezoneOffset();
  const absolute = Math.abs(offset);
  return (
    `${date.getFullYear()}-${twoDigits(date.getMonth() + 1)}-${twoDigits(date.getDate())}T` +
    `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}:${twoDigits(date.getSeconds())}` +
    `${offset < 0 ? '-' : '+'}${twoDigits(Math.floor(absolute / 60))}:${twoDigits(absolute % 60)}`
  );
}

/** The query of a target without its `?`, or "". */
function queryOf(target: string): string {
  const mark = target.indexOf('?');
  return mark < 0 ? '' : target.slice(mark + 1);
}

/** The time texts, rebuilt once per second (a format is used from one thread, line after line). */
class TimeCache {
  #second = Number.NaN;
  #local = '';
  #iso = '';

  #at(record: AccessRecord): void {
    const second = Math.floor(finishedAt(record) / 1000);
    if (second === this.#second) return;
    this.#second = second;
    this.#local = formatTimeLocal(second);
    this.#iso = formatTimeIso(second * 1000);
  }

  local(record: AccessRecord): string {
    this.#at(record);
    return this.#local;
  }

  iso(record: AccessRecord): string {
    this.#at(record);
    return this.#iso;
  }
}

/** The variables a format may use; `$http_<name>` reads any request field besides these. */
function variableTable(time: TimeCache): ReadonlyMap<string, (record: AccessRecord) => string> {
  const pid = String(process.pid);
  return new Map<string, (record: AccessRecord) => string>([
    ['remote_addr', (r) => field(r.remoteAddress)],
    ['remote_port', (r) => String(r.remotePort)],
    ['remote_user', (r) => field(r.remoteUser)],
    ['time_local', (r) => time.local(r)],
    ['time_iso8601', (r) => time.iso(r)],
    ['msec', (r) => seconds(finishedAt(r))],
    [
      'request',
      (r) =>
        r.method === ''
          ? '-'
          : `${escapeLogValue(r.method)} ${escapeLogValue(r.target)} HTTP/${r.versionMajor}.${r.versionMinor}`,
    ],
    ['request_method', (r) => field(r.method)],
    ['request_uri', (r) => field(r.target)],
    ['args', (r) => field(queryOf(r.target))],
    ['query_string', (r) => field(queryOf(r.target))],
    [
      'server_protocol',
      (r) => (r.method === '' ? '-' : `HTTP/${r.versionMajor}.${r.versionMinor}`),
    ],
    ['status', (r) => formatStatus(r.status)],
    ['body_bytes_sent', (r) => String(r.bytesSent)],
    ['request_time', (r) => seconds(r.durationMs)],
    ['host', (r) => field(r.header('host'))],
    ['pid', () => pid],
  ]);
}

/** Variable names a format may use (for messages and docs), `$http_<name>` aside. */
export const ACCESS_VARIABLES: readonly string[] = [...variableTable(new TimeCache()).keys()];

const NAME_CHAR = /^[A-Za-z0-9_]$/;

/** A `$name` or `${name}` found in a format. */
interface VariableRef {
  readonly name: string;
  /** Where the `$` is in the text. */
  readonly start: number;
  /** Just past the reference. */
  readonly end: number;
}

/** Finds the next variable reference at or after `from`; a `$` followed by no name is text. */
function nextVariable(text: string, from: number): VariableRef | null {
  for (let dollar = text.indexOf('$', from); dollar >= 0; dollar = text.indexOf('$', dollar + 1)) {
    if (text[dollar + 1] === '{') {
      const close = text.indexOf('}', dollar + 2);
      if (close > dollar + 2) {
        return { name: text.slice(dollar + 2, close), start: dollar, end: close + 1 };
      }
      continue;
    }
    let end = dollar + 1;
    while (end < text.length && NAME_CHAR.test(text.charAt(end))) end++;
    if (end > dollar + 1) return { name: text.slice(dollar + 1, end), start: dollar, end };
  }
  return null;
}

/** The part reading a variable, or null when there is no such variable. */
function variablePart(
  name: string,
  table: ReadonlyMap<string, (record: AccessRecord) => string>,
): ((record: AccessRecord) => string) | null {
  const known = table.get(name);
  if (known !== undefined) return known;
  if (name.startsWith('http_') && name.length > 5) {
    // $http_user_agent reads User-Agent: nginx's rule, underscores for dashes, any case.
    const header = name.slice(5).toLowerCase().replaceAll('_', '-');
    return (r) => field(r.header(header));
  }
  return null;
}

/** The unknown variables of a format, in order ([] when it compiles). */
export function unknownAccessVariables(text: string): string[] {
  const table = variableTable(new TimeCache());
  const unknown: string[] = [];
  for (let ref = nextVariable(text, 0); ref !== null; ref = nextVariable(text, ref.end)) {
    if (variablePart(ref.name, table) === null) unknown.push(ref.name);
  }
  return unknown;
}

/** A format compiled once: literal parts and variable readers, joined per line. */
class TemplateFormat implements AccessFormat {
  readonly #parts: readonly Part[];

  constructor(parts: readonly Part[]) {
    this.#parts = parts;
  }

  format(record: AccessRecord): string {
    let line = '';
    for (const part of this.#parts) line += typeof part === 'string' ? part : part(record);
    return `${line}\n`;
  }
}

/**
 * Compiles a format such as `$remote_addr [$time_local] "$request" $status $request_time`.
 * Throws on an unknown variable (the config check reports those first, with file and line).
 */
export function compileAccessTemplate(text: string): AccessFormat {
  const table = variableTable(new TimeCache());
  const parts: Part[] = [];
  let literal = '';
  let position = 0;
  for (let ref = nextVariable(text, 0); ref !== null; ref = nextVariable(text, ref.end)) {
    const part = variablePart(ref.name, table);
    if (part === null) throw new Error(`unknown access log variable $${ref.name}`);
    literal += text.slice(position, ref.start);
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(part);
    position = ref.end;
  }
  literal += text.slice(position);
  if (literal !== '') parts.push(literal);
  return new TemplateFormat(parts);
}

/** Whether an access log setting is a format of its own rather than a preset name. */
export function isAccessTemplate(setting: string): boolean {
  return setting.includes('$');
}
