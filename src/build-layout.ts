// Where this build's own files are, found from this module's URL. tsc's dist/ keeps src/'s
// folders (this file is dist/build-layout.js); the command-line bundle (scripts/bundle.mjs) is
// one flat folder, dist/bundle/, where this code sits in some chunk and esbuild defines
// PORTA_BUNDLED. Every `import.meta.url` file reference goes through here, so both builds run.

/** Replaced by `true` in the bundle (esbuild `define`); undeclared, so undefined, under tsc. */
declare const PORTA_BUNDLED: boolean | undefined;

const bundled = typeof PORTA_BUNDLED === 'boolean' && PORTA_BUNDLED;

/** The package's folder (package.json, assets/), with a trailing slash. */
export const PACKAGE_ROOT: URL = new URL(bundled ? '../../' : '../', import.meta.url);

/** The files Node starts by path: the command line and the config check thread. */
export type EntryPoint = 'main' | 'config-thread-main';

const TSC_ENTRIES: Readonly<Record<EntryPoint, string>> = {
  main: './main.js',
  'config-thread-main': './process/config-thread-main.js',
};

/** An entry point of this build: dist/bundle/<name>.js in the bundle, its tsc output otherwise. */
export function entryPoint(name: EntryPoint): URL {
  return new URL(bundled ? `./${name}.js` : TSC_ENTRIES[name], import.meta.url);
}
