// The `respond` handler: a fixed status, header fields and body, all prepared once.
import type { Exchange, Handler } from '../../http/exchange.js';
import { PreparedResponse } from '../../http/prepared-response.js';

export interface RespondOptions {
  readonly status: number;
  /** Header fields, name to value. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

class RespondHandler implements Handler {
  readonly #response: PreparedResponse;

  constructor(options: RespondOptions) {
    const headers = Object.entries(options.headers).flat();
    const hasType = Object.keys(options.headers).some((n) => n.toLowerCase() === 'content-type');
    if (!hasType && options.body !== '') headers.push('Content-Type', 'text/plain; charset=utf-8');
    this.#response = new PreparedResponse(options.status, headers, Buffer.from(options.body));
  }

  handle(exchange: Exchange): void {
    exchange.sendPrepared(this.#response);
  }
}

export function createRespondHandler(options: RespondOptions): Handler {
  return new RespondHandler(options);
}
