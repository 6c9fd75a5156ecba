// Node's builtins that only some paths use, loaded on their first call. An ES module import loads
// a builtin with the module that names it (node:crypto alone is ~5 ms of start-up here, for a
// random key or boundary a plain HTTP server may never need); a require from createRequire loads
// it when called, synchronously, once.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

let crypto: typeof import('node:crypto') | undefined;

/** node:crypto, loaded on the first call. */
export function nodeCrypto(): typeof import('node:crypto') {
  crypto ??= load('node:crypto') as typeof import('node:crypto');
  return crypto;
}
