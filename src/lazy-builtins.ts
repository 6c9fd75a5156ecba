// Node's builtins that only some paths use, loaded on their first call. An ES module import loads
// a builtin with the module that names it (node:crypto alone is ~5 ms of start-up here, for a
// random key or boundary a plain HTTP server may never need; node:zlib ~1.3 ms, for a response
// that may never be compressed); a require from createRequire loads it when called,
// synchronously, once.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** The builtins loaded this way. */
interface Builtins {
  'node:crypto': typeof import('node:crypto');
  'node:zlib': typeof import('node:zlib');
}

/** A getter of builtin `id`, which loads it on its first call. */
function onFirstUse<Id extends keyof Builtins>(id: Id): () => Builtins[Id] {
  let module: Builtins[Id] | undefined;
  return () => (module ??= load(id) as Builtins[Id]);
}

/** node:crypto, loaded on the first call. */
export const nodeCrypto = onFirstUse('node:crypto');

/** node:zlib, loaded on the first call. */
export const nodeZlib = onFirstUse('node:zlib');
