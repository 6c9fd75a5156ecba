// The command line as an esbuild bundle (dist/bundle/): what `porta` runs. Node 20's ES module
// loader pays per file (resolve, package scope lookups, open/stat/read, compile), so ~130 small
// modules cost more than a few chunks. Code splitting keeps every `import()` lazy: a command, the
// engine, a handler, HTTP/2, TLS or the config stack loads only when used. Dependencies are
// bundled too, but tsx (a loader for users' TypeScript apps, found by its own file URLs) and users'
// modules stay imports. tsc still builds dist/ for the library (dist/index.js) and its types.
// Usage: node scripts/bundle.mjs [outdir]   (default dist/bundle)
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Every file Node starts by path, named as its source: src/build-layout.ts finds them in the
 * bundle's folder by these names. Cluster workers and the config check child run `main`.
 */
export const ENTRY_POINTS = {
  main: 'src/main.ts',
  'config-thread-main': 'src/process/config-thread-main.ts',
};

/** Imports left to Node: tsx registers loader hooks that name its own files. */
const EXTERNAL = ['tsx', 'tsx/*'];

/**
 * CommonJS dependencies (commander, yaml, node-forge) call require() for Node's builtins; esbuild
 * turns those into its `__require` helper, which uses a `require` in scope. An ES module has none,
 * so the one chunk that defines the helper gets this line first (one line: its source map moves
 * by one). Only there: a createRequire per chunk cost ~10 ms of start-up over ~50 chunks.
 */
const REQUIRE_LINE =
  "import { createRequire as __portaCreateRequire } from 'node:module'; " +
  'const require = __portaCreateRequire(import.meta.url);\n';

/** Writes esbuild's output files, REQUIRE_LINE atop the chunk holding `__require` (map shifted). */
function writeOutputs(files) {
  const helpers = new Set(
    files.filter((file) => file.text.includes('var __require = ')).map((file) => file.path),
  );
  for (const file of files) {
    let text = file.text;
    if (helpers.has(file.path)) text = REQUIRE_LINE + text;
    else if (helpers.has(file.path.replace(/\.map$/, ''))) {
      const map = JSON.parse(text);
      map.mappings = `;${map.mappings}`;
      text = JSON.stringify(map);
    }
    writeFileSync(file.path, text);
  }
  return helpers.size;
}

/**
 * CommonJS packages porta imports with `import()`. Node gives such an import the package's
 * named exports (`const { stringify } = await import('yaml')`); a split bundle's chunk would
 * export only `default` (module.exports). Each goes through a small ES module that names them.
 */
const COMMONJS_IMPORTED_LAZILY = ['yaml', 'node-forge'];

/** The ES module facade: module.exports as `default`, and each of its keys as a named export. */
function facadeOf(name) {
  const names = Object.keys(createRequire(join(root, 'package.json'))(name)).filter(
    (key) => /^[A-Za-z_$][\w$]*$/.test(key) && key !== 'default',
  );
  return [
    `import commonjs from ${JSON.stringify(name)};`,
    'export default commonjs;',
    `export const { ${names.join(', ')} } = commonjs;`,
  ].join('\n');
}

/** Sends `import('yaml')` (a dynamic import only) to the facade, which imports the package itself. */
const commonjsFacades = {
  name: 'commonjs-facades',
  setup(build) {
    const names = new RegExp(`^(${COMMONJS_IMPORTED_LAZILY.join('|')})$`);
    build.onResolve({ filter: names }, (args) =>
      args.kind === 'dynamic-import'
        ? { path: args.path, namespace: 'commonjs-facade' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'commonjs-facade' }, (args) => ({
      contents: facadeOf(args.path),
      resolveDir: root,
      loader: 'js',
    }));
  },
};

/**
 * Builds the bundle into `outdir` (emptied first) and writes `chunks.json` beside it: the source
 * modules (src/... and node_modules/...) whose code each output file holds, for tests that check
 * what a process loads.
 */
export async function bundleCli(outdir = join(root, 'dist', 'bundle')) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Flat: src/build-layout.ts finds the entry points beside whichever chunk it lands in.
    chunkNames: '[name]-[hash]',
    sourcemap: true,
    // Stacks map back to src/ with --enable-source-maps; the sources themselves are not shipped.
    sourcesContent: false,
    external: EXTERNAL,
    define: { PORTA_BUNDLED: 'true' },
    plugins: [commonjsFacades],
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  // esbuild puts its helpers in one chunk (none when no CommonJS is bundled).
  if (writeOutputs(result.outputFiles) > 1) throw new Error('more than one chunk with __require');
  const chunks = {};
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (!file.endsWith('.js')) continue;
    // A module tree-shaken to nothing (types only, unused) is listed with 0 bytes: not in the file.
    chunks[basename(file)] = Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path)
      .sort();
  }
  writeFileSync(join(outdir, 'chunks.json'), `${JSON.stringify(chunks, null, 1)}\n`);
  return { outdir, chunks, warnings: result.warnings };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] === undefined ? undefined : resolve(process.argv[2]);
  const { outdir, chunks } = await bundleCli(out);
  // stderr: `npm pack --json` runs the build (prepare) and prints its JSON on stdout.
  console.error(`bundled the command line: ${Object.keys(chunks).length} files in ${outdir}`);
}
