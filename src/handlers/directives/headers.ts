// The request_headers and response_headers directives: set, add and remove fields, compiled once per route.
import type { Exchange, Handler } from '../../http/exchange.js';
import { editHeaderList } from '../../http/header-edit.js';

/** Edits as the config gives them, names as written. */
export interface HeaderEdits {
  /** Fields that replace any of the same name: [name, value, ...]. */
  readonly set: readonly string[];
  /** Fields appended, keeping any of the same name: [name, value, ...]. */
  readonly add: readonly string[];
  /** Names of fields dropped. */
  readonly remove: readonly string[];
}

/** The two lists the engine applies: names to drop (lower case), then fields to append. */
interface CompiledEdits {
  readonly remove: readonly string[];
  readonly add: readonly string[];
}

function compile(edits: HeaderEdits): CompiledEdits {
  const remove = new Set(edits.remove.map((name) => name.toLowerCase()));
  for (let i = 0; i < edits.set.length; i += 2) remove.add((edits.set[i] as string).toLowerCase());
  return { remove: [...remove], add: [...edits.set, ...edits.add] };
}

/** Whether the edits change anything at all. */
export function hasHeaderEdits(edits: HeaderEdits): boolean {
  return edits.set.length + edits.add.length + edits.remove.length > 0;
}

class RequestHeaders implements Handler {
  readonly #next: Handler;
  readonly #remove: readonly string[];
  readonly #add: readonly string[];

  constructor(edits: HeaderEdits, next: Handler) {
    const compiled = compile(edits);
    this.#next = next;
    this.#remove = compiled.remove;
    this.#add = compiled.add;
  }

  handle(exchange: Exchange): void | Promise<void> {
    exchange.setRequestHeaders(editHeaderList(exchange.request.headers, this.#remove, this.#add));
    return this.#next.handle(exchange);
  }
}

class ResponseHeaders implements Handler {
  readonly #next: Handler;
  readonly #remove: readonly string[];
  readonly #add: readonly string[];

  constructor(edits: HeaderEdits, next: Handler) {
    const compiled = compile(edits);
    this.#next = next;
    this.#remove = compiled.remove;
    this.#add = compiled.add;
  }

  handle(exchange: Exchange): void | Promise<void> {
    // The engine applies both when the head is written, whoever writes it.
    if (this.#remove.length > 0) exchange.removeResponseHeaders(this.#remove);
    if (this.#add.length > 0) exchange.addResponseHeaders(this.#add);
    return this.#next.handle(exchange);
  }
}

/** Wraps `next` so it sees the request with these header edits. */
export function createRequestHeaders(edits: HeaderEdits, next: Handler): Handler {
  return new RequestHeaders(edits, next);
}

/** Wraps `next` so every response head, its own or an inner directive's, gets these edits. */
export function createResponseHeaders(edits: HeaderEdits, next: Handler): Handler {
  return new ResponseHeaders(edits, next);
}
