// A fixed response (respond handler, cached small files) that protocol engines may send from ready bytes.

/**
 * Status, fields and body known before any request arrives. Each engine keeps its own encoded
 * form (HTTP/1.1: whole response bytes per Date second, http1/prepared-bytes.ts), so sending
 * it costs no head building.
 */
export class PreparedResponse {
  readonly status: number;
  /** Handler fields, flat name/value, as `send` takes them. */
  readonly headers: readonly string[];
  readonly body: Buffer;

  constructor(status: number, headers: readonly string[], body: Buffer) {
    this.status = status;
    this.headers = headers;
    this.body = body;
  }
}
