// The `respond` handler: a fixed status, header fields and body, all prepared once.
import type { Exchange, Handler } from '../../http/exchange.js';

export interface RespondOptions {
  readonly status: number;
  /** Header fields, name to value. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

class RespondHandler implements Handler {
  readonly #status: number;
  readonly #headers: readonly string[];
  readonly #body: Buffer;

  constructor(options: RespondOptions) {
    this.#status = options.status;
    const headers = Object.entries(options.headers).flat();
    const hasType = Object.keys(options.headers).some((n) => n.toLowerCase() === 'content-type');
    if (!hasType && options.body !== '') headers.push('Content-Type', 'text/plain; charset=utf-8');
    this.#headers = headers;
    this.#body = Buffer.from(options.body, 'utf8');
  }

  handle(exchange: Exchange): void {
    exchange.send(this.#status, this.#headers, this.#body);
  }
}

export function createRespondHandler(options: RespondOptions): Handler {
  return new RespondHandler(options);
}
