// Loads a fetch-handler app module (.js/.mjs, or .ts through tsx's loader, registered only then) and finds its fetch.
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PortaError } from '../../errors.js';

/** What porta calls per request: the app's `fetch(request, env)`, bound to its object. */
export type FetchFunction = (request: Request, env: unknown) => unknown;

/** A loaded app: its fetch, and the export it came from (which may carry WebSocket hooks). */
export interface LoadedApp {
  readonly fetch: FetchFunction;
  readonly app: unknown;
}

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);
const JAVASCRIPT = new Set(['.js', '.mjs', '.cjs', '.jsx']);

/** Extensions `app.module` may have. */
export const APP_EXTENSIONS: readonly string[] = [...TYPESCRIPT, ...JAVASCRIPT];

/** tsx's ESM loader, registered once per process and only when a TypeScript app is loaded. */
let typescriptReady: Promise<void> | null = null;

function registerTypeScript(): Promise<void> {
  // Both: a .ts file outside a `"type": "module"` package is CommonJS to Node, and loads through
  // the require hook even when imported.
  typescriptReady ??= Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]).then(
    ([esm, cjs]) => {
      esm.register();
      cjs.register();
    },
  );
  return typescriptReady;
}

/** How often each file was imported in this process: a second load asks for a fresh module URL. */
const loads = new Map<string, number>();

/**
 * Imports `file` (absolute) and returns its `exportName` export's fetch: an object with a
 * `fetch` method (Hono, itty-router, h3, `export default { fetch }`) or a function.
 */
export async function loadApp(file: string, exportName: string): Promise<LoadedApp> {
  const extension = extname(file);
  if (TYPESCRIPT.has(extension)) await registerTypeScript();
  else if (!JAVASCRIPT.has(extension)) {
    throw new PortaError(
      'PORTA_APP_INVALID',
      `app ${file}: expected a module ending in ${APP_EXTENSIONS.join(', ')}`,
    );
  }
  // ESM caches modules by URL; a reload in the same process asks for the file again.
  const count = loads.get(file) ?? 0;
  loads.set(file, count + 1);
  const url = pathToFileURL(file).href + (count === 0 ? '' : `?porta-load=${count}`);
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    throw new PortaError('PORTA_APP_INVALID', `app ${file} failed to load: ${detail}`);
  }
  return findFetch(module, file, exportName);
}

function fetchOf(app: unknown): FetchFunction | null {
  if (typeof app === 'function') return app as FetchFunction;
  if (typeof app === 'object' && app !== null) {
    const fetch = (app as { fetch?: unknown }).fetch;
    if (typeof fetch === 'function') return (fetch as FetchFunction).bind(app);
  }
  return null;
}

function findFetch(module: Record<string, unknown>, file: string, exportName: string): LoadedApp {
  const direct = module[exportName];
  const fetch = fetchOf(direct);
  if (fetch !== null) return { fetch, app: direct };
  // A CommonJS module (a .ts file outside a "type": "module" package) puts module.exports on
  // `default`: its own exports, `default` included, sit one level down.
  const cjs = module.default;
  const inner =
    typeof cjs === 'object' && cjs !== null ? (cjs as Record<string, unknown>)[exportName] : null;
  const nested = fetchOf(inner);
  if (nested !== null) return { fetch: nested, app: inner };
  const app = direct;
  const found = Object.keys(module).join(', ') || 'none';
  throw new PortaError(
    'PORTA_APP_INVALID',
    `app ${file}: export "${exportName}" is ${app === undefined ? 'missing' : `a ${typeof app}`}; ` +
      `expected an object with a fetch(request) method or a function (exports: ${found})`,
  );
}
