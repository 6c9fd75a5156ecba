// The command line as a bundle (dist/bundle/): what `porta` runs. Node 20's ES module loader pays
// per file (resolve, package scope lookups, open/stat/read, compile, link: ~0.8 ms each here), so
// ~120 small modules cost more than a few chunks. Code splitting keeps every `import()` lazy: a
// command, the engine, a handler, HTTP/2, TLS or the config stack loads only when used.
// Rollup splits: it knows that the importer of an `import()` is already loaded, so code shared
// with it is not cut into a chunk of its own (esbuild's splitting cuts a chunk per set of entry
// points that share code: `porta serve` loaded ~50 files of it, 22 of Rollup's). esbuild strips
// the types, file by file. Dependencies are bundled too, but tsx (a loader for users' TypeScript
// apps, found by its own file URLs) and users' modules stay imports. tsc still builds dist/ for
// the library (dist/index.js) and its types.
// The chunks are CommonJS (a package.json in the folder says so): Node 20 starts its ES module
// loader for an ES module entry, and that loader's own start-up and per-module linking cost
// `porta serve` ~30 ms of CPU more than `require` for the same chunks. An `import()` of a chunk
// becomes a `require` in a promise (still lazy); one of tsx or of a user's app stays `import()`.
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { transform } from 'esbuild';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src') + sep;

/**
 * Every file Node starts by path, named as its source: src/build-layout.ts finds them in the
 * bundle's folder by these names. Cluster workers and the config check child run `main`.
 */
export const ENTRY_POINTS = {
  main: 'src/main.ts',
  'config-thread-main': 'src/process/config-thread-main.ts',
};

/** Imports left to Node: its builtins, and tsx (it registers loader hooks that name its own files). */
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
function isExternal(id) {
  return BUILTINS.has(id) || id === 'tsx' || id.startsWith('tsx/');
}

/**
 * porta's TypeScript, one file at a time: `./x.js` imports name `./x.ts` files (the ES module
 * convention tsc keeps), esbuild strips the types and defines PORTA_BUNDLED (build-layout.ts).
 */
const typescript = {
  name: 'porta-typescript',
  resolveId(source, importer) {
    if (importer === undefined || !importer.startsWith(src) || !source.startsWith('.')) return null;
    if (!source.endsWith('.js')) return null;
    const file = resolve(dirname(importer), `${source.slice(0, -3)}.ts`);
    return existsSync(file) ? file : null;
  },
  async transform(code, id) {
    if (!id.startsWith(src) || !id.endsWith('.ts')) return null;
    const out = await transform(code, {
      loader: 'ts',
      format: 'esm',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: id,
      define: { PORTA_BUNDLED: 'true' },
    });
    return { code: out.code, map: out.map };
  },
};

/**
 * CommonJS output: `import()` of a chunk becomes a lazy `require` (Rollup's default with
 * `dynamicImportInCjs: false`), but one Rollup cannot resolve to a chunk (tsx, a user's app by
 * its URL) stays an `import()`, so the app may be an ES module. `import.meta.url` is the file's.
 */
const commonjsOutput = {
  name: 'porta-commonjs-output',
  renderDynamicImport({ targetChunk }) {
    return targetChunk === null ? { left: 'import(', right: ')' } : null;
  },
  resolveImportMeta(property) {
    return property === 'url' ? "require('node:url').pathToFileURL(__filename).href" : null;
  },
};

/** A module id as chunks.json names it: src/... or node_modules/..., or null for Rollup's helpers. */
function sourceName(id) {
  if (id.startsWith('\0')) return null;
  const path = id.split('?')[0];
  return relative(root, path).split(sep).join('/');
}

/**
 * Builds the bundle into `outdir` (emptied first) and writes `chunks.json` beside it: the source
 * modules (src/... and node_modules/...) whose code each output file holds, for tests that check
 * what a process loads.
 */
export async function bundleCli(outdir = join(root, 'dist', 'bundle')) {
  rmSync(outdir, { recursive: true, force: true });
  const warnings = [];
  const bundle = await rollup({
    input: Object.fromEntries(
      Object.entries(ENTRY_POINTS).map(([name, file]) => [name, join(root, file)]),
    ),
    external: isExternal,
    plugins: [
      typescript,
      commonjsOutput,
      nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
      commonjs(),
      json(),
    ],
    onwarn(warning) {
      // Cycles between modules are fine without top-level await on them (main.ts has none).
      if (warning.code === 'CIRCULAR_DEPENDENCY') return;
      // A dependency's `@__PURE__` comment where Rollup cannot use it: dropped, nothing else changes.
      if (warning.code === 'INVALID_ANNOTATION') return;
      // TypeScript's helpers in a dependency read a top-level `this`: undefined in a module either way.
      if (warning.code === 'THIS_IS_UNDEFINED') return;
      warnings.push(warning);
    },
  });
  const { output } = await bundle.write({
    dir: outdir,
    format: 'cjs',
    dynamicImportInCjs: false,
    // Node's builtins are what they are: no getters kept live for their exports.
    externalLiveBindings: false,
    // Flat: src/build-layout.ts finds the entry points beside whichever chunk it lands in.
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    sourcemap: true,
    // Stacks map back to src/ with --enable-source-maps; the sources themselves are not shipped.
    sourcemapExcludeSources: true,
  });
  await bundle.close();
  for (const warning of warnings) console.error(`bundle: ${warning.message}`);
  const chunks = {};
  for (const file of output) {
    if (file.type !== 'chunk') continue;
    // A module tree-shaken to nothing (types only, unused) has no rendered code in the file.
    chunks[file.fileName] = Object.entries(file.modules)
      .filter(([, module]) => module.renderedLength > 0)
      .map(([id]) => sourceName(id))
      .filter((name) => name !== null)
      .sort();
  }
  // The package is `"type": "module"`: this folder's .js files are CommonJS.
  writeFileSync(join(outdir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  writeFileSync(join(outdir, 'chunks.json'), `${JSON.stringify(chunks, null, 1)}\n`);
  return { outdir, chunks, warnings };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] === undefined ? undefined : resolve(process.argv[2]);
  const { outdir, chunks } = await bundleCli(out);
  // stderr: `npm pack --json` runs the build (prepare) and prints its JSON on stdout.
  console.error(`bundled the command line: ${Object.keys(chunks).length} files in ${outdir}`);
}
