// fast-check arbitraries for valid HTTP/1.1 requests, each with the parser events it must produce.
import fc from 'fast-check';
import { visible } from '../test/http1-cases/case-file.js';

/** A generated request: its bytes and the event lines (case-file form) the parser must give. */
export interface GeneratedRequest {
  readonly bytes: Buffer;
  readonly events: readonly string[];
  /** Body bytes the parser must deliver (decoded). */
  readonly bodyLength: number;
  /** Bytes of the chunked trailer section as the decoder counts them against maxHeaderSize. */
  readonly trailerSize: number;
}

const TCHARS =
  "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split('');
const PCHARS =
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@".split('');
/** field-vchar without SP/HTAB (those go only inside a value, never at its ends) plus obs-text. */
const VCHARS: string[] = [];
for (let c = 0x21; c <= 0x7e; c++) VCHARS.push(String.fromCharCode(c));
VCHARS.push('\x80', '\xe9', '\xff');

const token = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength });

const method = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
  token(12),
);

const segment = fc.oneof(
  fc.string({ unit: fc.constantFrom(...PCHARS), maxLength: 12 }),
  fc.constantFrom('%20', '%2F', '%e9', '..', '.'),
);

const target = fc
  .tuple(
    fc.array(segment, { maxLength: 5 }),
    fc.option(fc.string({ unit: fc.constantFrom(...PCHARS, '/', '?'), maxLength: 20 })),
  )
  .map(([segments, query]) => `/${segments.join('/')}${query === null ? '' : `?${query}`}`);

/** A field value: visible bytes with single spaces or tabs inside, none at the ends. */
const fieldValue = fc
  .array(
    fc.tuple(
      fc.string({ unit: fc.constantFrom(...VCHARS), minLength: 1, maxLength: 8 }),
      fc.constantFrom(' ', '\t', ''),
    ),
    { maxLength: 4 },
  )
  .map((parts) =>
    parts
      .map(([word, space]) => word + space)
      .join('')
      .trimEnd(),
  );

/** Names start with X- so they never collide with the fields the parser acts on. */
const field = fc.record({
  name: token(16).map((name) => `X-${name}`),
  value: fieldValue,
  before: fc.constantFrom('', ' ', '  ', '\t'),
  after: fc.constantFrom('', ' ', '\t '),
});

const framing = fc.constantFrom('none', 'length', 'chunked');

const body = fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes));

/** Splits a body into chunks at the given offsets, for the chunked coding. */
function chunksOf(data: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.filter((c) => c > 0 && c < data.length))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of at) {
    out.push(data.subarray(from, cut));
    from = cut;
  }
  if (from < data.length) out.push(data.subarray(from));
  return out;
}

/** One valid request (HTTP/1.0 or 1.1) with any framing, fields, chunking and extensions. */
export const validRequest: fc.Arbitrary<GeneratedRequest> = fc
  .record({
    method,
    target,
    minor: fc.constantFrom(0, 1),
    host: fc.option(fc.domain(), { nil: undefined }),
    fields: fc.array(field, { maxLength: 6 }),
    framing,
    body,
    cuts: fc.array(fc.nat({ max: 200 }), { maxLength: 4 }),
    upperHex: fc.boolean(),
    extension: fc.constantFrom('', ';a', ';a=b', ' ;q="x y"'),
    trailer: fc.option(field, { nil: undefined }),
  })
  .map((r): GeneratedRequest => {
    const minor = r.minor;
    // HTTP/1.1 needs Host (RFC 9112 §3.2); chunked needs HTTP/1.1 (RFC 9112 §6.1).
    const host = minor === 1 ? (r.host ?? 'example.com') : r.host;
    const kind = r.framing === 'chunked' && minor === 0 ? 'length' : r.framing;
    const payload = kind === 'none' ? Buffer.alloc(0) : r.body;
    let head = `${r.method} ${r.target} HTTP/1.${minor}\r\n`;
    const events = [`head ${r.method} ${r.target} HTTP/1.${minor}`];
    const addField = (name: string, raw: string, value: string): void => {
      head += `${name}:${raw}\r\n`;
      const shown = visible(Buffer.from(value, 'latin1'), false);
      events.push(shown === '' ? `header ${name}:` : `header ${name}: ${shown}`);
    };
    if (host !== undefined) addField('Host', ` ${host}`, host);
    for (const f of r.fields) addField(f.name, `${f.before}${f.value}${f.after}`, f.value);
    let encoded = Buffer.alloc(0);
    let trailerSize = 0;
    if (kind === 'length') {
      addField('Content-Length', ` ${payload.length}`, String(payload.length));
      encoded = payload;
    } else if (kind === 'chunked') {
      addField('Transfer-Encoding', ' chunked', 'chunked');
      const parts: Buffer[] = [];
      for (const chunk of chunksOf(payload, r.cuts)) {
        const size = chunk.length.toString(16);
        parts.push(Buffer.from(`${r.upperHex ? size.toUpperCase() : size}${r.extension}\r\n`));
        parts.push(chunk, Buffer.from('\r\n'));
      }
      const trailer = r.trailer === undefined ? '' : `${r.trailer.name}: ${r.trailer.value}\r\n`;
      // The decoder counts each trailer line with its CR but not its LF.
      trailerSize = Math.max(trailer.length - 1, 0);
      parts.push(Buffer.from(`0${r.extension}\r\n${trailer}\r\n`, 'latin1'));
      encoded = Buffer.concat(parts);
    }
    head += '\r\n';
    if (payload.length > 0) events.push(`body "${visible(payload, true)}"`);
    events.push('end');
    const bytes = Buffer.concat([Buffer.from(head, 'latin1'), encoded]);
    return { bytes, events, bodyLength: payload.length, trailerSize };
  });

/** One to four valid requests back to back in one buffer (a pipeline). */
export const validPipeline: fc.Arbitrary<GeneratedRequest> = fc
  .array(validRequest, { minLength: 1, maxLength: 4 })
  .map((requests) => ({
    bytes: Buffer.concat(requests.map((r) => r.bytes)),
    events: requests.flatMap((r) => r.events),
    bodyLength: requests.reduce((sum, r) => sum + r.bodyLength, 0),
    trailerSize: Math.max(...requests.map((r) => r.trailerSize)),
  }));

/** Bytes that break HTTP framing and syntax when dropped into a request. */
const NASTY = [0x00, 0x0a, 0x0d, 0x20, 0x09, 0x3a, 0x3b, 0x7f, 0x80, 0xff, 0x30, 0x66];

/** A valid pipeline with a few bytes flipped, inserted or removed. */
export const mutatedRequest: fc.Arbitrary<Buffer> = fc
  .tuple(
    validPipeline,
    fc.array(
      fc.record({
        at: fc.nat(),
        op: fc.constantFrom('replace', 'insert', 'delete'),
        byte: fc.oneof(fc.constantFrom(...NASTY), fc.integer({ min: 0, max: 255 })),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([request, mutations]) => {
    const bytes = [...request.bytes];
    for (const m of mutations) {
      const at = bytes.length === 0 ? 0 : m.at % bytes.length;
      if (m.op === 'replace' && bytes.length > 0) bytes[at] = m.byte;
      else if (m.op === 'insert') bytes.splice(at, 0, m.byte);
      else bytes.splice(at, 1);
    }
    return Buffer.from(bytes);
  });
