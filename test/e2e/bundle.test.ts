// The command-line bundle (scripts/bundle.mjs, what `porta` runs): every file Node starts by path
// is an entry point, chunks.json names each output's sources, the bundle imports nothing but Node's
// builtins, its own chunks and tsx, file references go through src/build-layout.ts, and both builds
// (the bundle and tsc's dist/) find package.json, the config thread and their entry point.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PORTA_MAIN } from '../support/porta-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
};

/** What the bundle may import from outside itself: Node's builtins and tsx (a loader). */
function isAllowedExternal(specifier: string): boolean {
  const name = specifier.replace(/^node:/, '');
  return builtinModules.includes(name) || specifier === 'tsx' || specifier.startsWith('tsx/');
}

/**
 * Every import of an output file, as Rollup writes CommonJS: `var x = require('x');` or a bare
 * `require('x');` at the top of a chunk (static), `require('x')` in a promise (lazy), and
 * `import('x')` (kept for tsx).
 */
const STATIC_IMPORTS = [/^(?:(?:var|const|let)\s+\w+\s*=\s*)?require\((["'])([^"']+)\1\);$/gm];
const IMPORTS = [...STATIC_IMPORTS, /\b(?:require|import)\(\s*(["'])([^"']+)\1\s*\)/g];

function specifiers(code: string, patterns = IMPORTS): string[] {
  return patterns.flatMap((pattern) =>
    [...code.matchAll(pattern)]
      // Not in a comment line (a dependency's JSDoc names `import("./x.js")` types).
      .filter((match) => !/^\s*(\*|\/\/)/.test(lineOf(code, match.index)))
      .map((match) => match[2] as string),
  );
}

/** The text of the line of `code` at `index`, up to it. */
function lineOf(code: string, index: number): string {
  return code.slice(code.lastIndexOf('\n', index) + 1, index);
}

/** The output files `name` loads with it, itself included (static imports, followed). */
function staticClosure(dir: string, name: string): Set<string> {
  const seen = new Set<string>();
  const next = [name];
  for (let file = next.pop(); file !== undefined; file = next.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(dir, file), 'utf8');
    for (const specifier of specifiers(code, STATIC_IMPORTS))
      if (specifier.startsWith('./')) next.push(specifier.slice(2));
  }
  return seen;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => join(dir, name));
}

describe('the command-line bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-bundle-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is what package.json runs, and bundles every entry point with a source map', () => {
    assert.equal(join(ROOT, manifest.bin.porta ?? ''), PORTA_MAIN);
    const out = join(dir, 'bundle');
    const built = spawnSync(process.execPath, ['scripts/bundle.mjs', out], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(built.status, 0, built.stderr);
    const files = readdirSync(out);
    const chunks = JSON.parse(readFileSync(join(out, 'chunks.json'), 'utf8')) as Record<
      string,
      string[]
    >;
    const scripts = files.filter((name) => name.endsWith('.js')).sort();
    // CommonJS (Node 20 starts no ES module loader for it): the folder's package.json says so.
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')), {
      type: 'commonjs',
    });
    assert.deepEqual(Object.keys(chunks).sort(), scripts, 'chunks.json lists every output');
    for (const name of scripts) assert.ok(files.includes(`${name}.map`), `${name}.map`);
    // The entry points src/build-layout.ts names, each holding its own source.
    assert.ok(chunks['main.js']?.includes('src/main.ts'));
    assert.ok(chunks['config-thread-main.js']?.includes('src/process/config-thread-main.ts'));
    // Lazy imports stay lazy: the entry point holds none of the commands, engine or handlers.
    assert.deepEqual(
      chunks['main.js']?.filter((input) => /^src\/(cli|runtime|handlers)\//.test(input)),
      [],
    );
    const inputs = new Set(Object.values(chunks).flat());
    for (const source of ['src/cli/serve.ts', 'src/runtime/start.ts', 'src/config/schema.ts'])
      assert.ok(inputs.has(source), `${source} is bundled`);
    assert.ok([...inputs].some((input) => input.startsWith('node_modules/zod/')));
    assert.ok(![...inputs].some((input) => input.startsWith('node_modules/tsx/')));
    // Each entry point loads without the other: a chunk the config thread loads must not bring
    // main.js (whose top level runs the command line) along, nor the reverse.
    assert.ok(!staticClosure(out, 'config-thread-main.js').has('main.js'));
    assert.ok(!staticClosure(out, 'main.js').has('config-thread-main.js'));

    for (const name of scripts) {
      const code = readFileSync(join(out, name), 'utf8');
      for (const specifier of specifiers(code)) {
        if (specifier.startsWith('./')) assert.ok(files.includes(specifier.slice(2)), specifier);
        else assert.ok(isAllowedExternal(specifier), `${name} imports ${specifier}`);
      }
    }
  });

  it("refers to porta's own files only through src/build-layout.ts", () => {
    const users = ['src'].flatMap(sourceFiles).filter((file) => {
      const code = readFileSync(join(ROOT, file), 'utf8');
      return code.includes('import.meta.url') || /\bfork\(|new Worker\(/.test(code);
    });
    // fork() and new Worker() start build-layout's entry points; cluster.fork() runs what this
    // process runs (process.argv[1]: the bundle's main.js), so the supervisor sets no other.
    assert.deepEqual(users.map((file) => relative('src', file)).sort(), [
      'build-layout.ts',
      'lazy-builtins.ts',
      'process/config-check.ts',
      'process/config-thread.ts',
      'process/supervisor.ts',
    ]);
    // lazy-builtins.ts's createRequire loads Node's builtins only, never a file.
    const lazy = readFileSync(join(ROOT, 'src', 'lazy-builtins.ts'), 'utf8');
    const loaded = [...lazy.matchAll(/\bonFirstUse\('([^']+)'\)/g)].map((match) => match[1]);
    assert.ok(loaded.includes('node:crypto'), 'lazy-builtins names what it loads');
    assert.deepEqual(
      loaded.filter((id) => !id?.startsWith('node:')),
      [],
    );
    assert.deepEqual(
      [...lazy.matchAll(/\bload\(([^)]*)\)/g)].map((match) => match[1]),
      ['id'],
    );
    const supervisor = readFileSync(join(ROOT, 'src', 'process', 'supervisor.ts'), 'utf8');
    assert.doesNotMatch(supervisor, /setupPrimary|setupMaster|import\.meta\.url/);
    for (const file of ['process/config-check.ts', 'process/config-thread.ts']) {
      const code = readFileSync(join(ROOT, 'src', file), 'utf8');
      assert.doesNotMatch(code, /import\.meta\.url/, file);
      assert.match(code, /entryPoint\('(main|config-thread-main)'\)/, file);
    }
  });

  for (const [build, main] of [
    ['the bundle', PORTA_MAIN],
    ["tsc's dist/", join(ROOT, 'dist', 'main.js')],
  ] as const) {
    it(`${build}: --version reads package.json, a one-liner validates in the config thread`, async () => {
      assert.ok(existsSync(main), `${main} (npm run build)`);
      const version = spawnSync(process.execPath, [main, '--version'], { encoding: 'utf8' });
      assert.equal(version.stdout, `${manifest.version}\n`, version.stderr);
      // `porta echo` (one process) checks its config in a thread started from build-layout.
      const child = spawn(process.execPath, [main, 'echo', '--host', '127.0.0.1', '--port', '0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      child.stderr.setEncoding('utf8').on('data', (text: string) => (log += text));
      child.stdout.resume();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        const deadline = Date.now() + 30_000;
        let url: string | undefined;
        while (url === undefined) {
          url = /Listening on (http:\/\/\S+)/.exec(log)?.[1];
          if (child.exitCode !== null || Date.now() > deadline) assert.fail(`no start:\n${log}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const answer = await fetch(`${url}/hello`);
        assert.equal(answer.status, 200);
        assert.match(await answer.text(), /GET \/hello/);
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
    });
  }
});
