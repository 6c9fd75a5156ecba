// curl as a test client over HTTP/1.1 or HTTP/2 (h2c prior knowledge, or h2 by ALPN with -k).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Which protocol curl speaks: HTTP/1.1, h2c with prior knowledge, or h2 over TLS by ALPN
 * (`h2` trusts any certificate; `h2-verified` leaves trust to the caller's --cacert).
 */
export type CurlProtocol = 'http1' | 'h2c' | 'h2' | 'h2-verified';

const FLAGS: Record<CurlProtocol, readonly string[]> = {
  http1: ['--http1.1'],
  h2c: ['--http2-prior-knowledge'],
  h2: ['--http2', '-k'],
  'h2-verified': ['--http2'],
};

export interface CurlResponse {
  /** "1.1" or "2" as curl reports %{http_version}. */
  readonly version: string;
  readonly status: number;
  /** Lower-case names; repeated fields keep every value. */
  readonly headers: Map<string, string[]>;
  readonly body: Buffer;
}

const MARK = '\n--porta-curl-version:';

/** Runs curl with `args` over `protocol`; the last response's head and body. */
export async function curl(protocol: CurlProtocol, args: readonly string[]): Promise<CurlResponse> {
  const { stdout } = await run(
    'curl',
    ['-s', '-i', '--max-time', '20', ...FLAGS[protocol], '-w', `${MARK}%{http_version}`, ...args],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  const mark = stdout.lastIndexOf(MARK);
  const version = stdout.subarray(mark + MARK.length).toString('latin1');
  let raw = stdout.subarray(0, mark);
  // -i prints every head (100 Continue, redirects followed); keep the last one.
  let split = raw.indexOf('\r\n\r\n');
  while (split !== -1 && /^HTTP\/[\d.]+ 1\d\d/.test(raw.subarray(0, 12).toString('latin1'))) {
    raw = raw.subarray(split + 4);
    split = raw.indexOf('\r\n\r\n');
  }
  const lines = raw.subarray(0, split).toString('latin1').split('\r\n');
  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return {
    version,
    status: Number(lines[0]?.split(' ')[1]),
    headers,
    body: raw.subarray(split + 4),
  };
}

/** The first value of a field, or undefined. */
export function field(response: CurlResponse, lowerName: string): string | undefined {
  return response.headers.get(lowerName)?.[0];
}
