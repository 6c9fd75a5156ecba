// A protocol error found while parsing: the status to answer with and why (for the debug log).

export class ParseError {
  /** 400, 408, 413, 414, 417, 431, 501 or 505. */
  readonly status: number;
  readonly reason: string;

  constructor(status: number, reason: string) {
    this.status = status;
    this.reason = reason;
  }
}
