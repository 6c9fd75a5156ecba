// The loader hooks of record-modules.mjs (they run on Node's loader thread): report each URL loaded.
/** @type {import('node:worker_threads').MessagePort | null} */
let port = null;

/** @param {{ port: import('node:worker_threads').MessagePort }} data */
export function initialize(data) {
  port = data.port;
}

/**
 * @param {string} url
 * @param {unknown} context
 * @param {(url: string, context: unknown) => Promise<unknown>} next
 */
export async function load(url, context, next) {
  port?.postMessage(url);
  return next(url, context);
}
