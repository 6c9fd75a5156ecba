// What the access log records of a request the engine refused before any handler saw it (400, 408, 413, 414, 431, ...).
import type { AccessRecord } from '../log/access-log.js';
import { findHeader } from '../http/request-head.js';
import type { RequestLine } from './request-line.js';

/**
 * Built only on the error path (one per refused request), from what the parser had read: the
 * request line once it was parsed (else method and target are logged as `-`), and the header
 * fields that had arrived.
 */
export class RejectedRequest implements AccessRecord {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Refused before any basic_auth ran: no user. */
  readonly remoteUser = '';
  readonly method: string;
  readonly target: string;
  readonly versionMajor = 1;
  readonly versionMinor: number;
  readonly status: number;
  readonly bytesSent: number;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly #headers: readonly string[];

  constructor(
    remoteAddress: string,
    remotePort: number,
    line: Readonly<RequestLine> | null,
    headers: readonly string[],
    status: number,
    bytesSent: number,
    startedAt: number,
  ) {
    this.remoteAddress = remoteAddress;
    this.remotePort = remotePort;
    this.method = line === null ? '' : line.method;
    this.target = line === null ? '' : line.target;
    this.versionMinor = line === null ? 1 : line.versionMinor;
    this.#headers = line === null ? [] : headers;
    this.status = status;
    this.bytesSent = bytesSent;
    this.startedAt = startedAt;
    this.durationMs = Date.now() - startedAt;
  }

  header(lowerName: string): string | undefined {
    return findHeader(this.#headers, lowerName);
  }
}
