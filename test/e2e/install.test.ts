// End to end: porta as users install it: `npm pack` (its `prepare` builds), the tarball installed
// into a fresh prefix gives a working `porta` command; `npm start` builds only when sources changed.
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  assert.equal(
    result.status,
    0,
    `${command} ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`,
  );
  return result;
}

/** A copy of what a git checkout holds for building (no dist/), sharing our node_modules. */
function checkout(into: string): void {
  for (const name of [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'README.md',
  ]) {
    cpSync(join(ROOT, name), join(into, name));
  }
  for (const name of ['src', 'site', 'scripts', 'assets']) {
    cpSync(join(ROOT, name), join(into, name), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(into, 'node_modules'), 'dir');
}

describe('installing porta', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-install-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is published under a name of its own, with the command porta', () => {
    assert.equal(manifest.name, 'porta-server');
    assert.deepEqual(Object.keys(manifest.bin), ['porta']);
    assert.equal(manifest.scripts.prepare, 'npm run build');
  });

  it('packs (prepare builds dist/), installs into a fresh prefix and serves from there', async () => {
    const source = join(dir, 'checkout');
    mkdirSync(source);
    checkout(source);
    const packed = run('npm', ['pack', '--pack-destination', dir, '--json'], source);
    const [{ filename, files }] = JSON.parse(packed.stdout) as [
      { filename: string; files: { path: string }[] },
    ];
    const paths = files.map((file) => file.path);
    assert.ok(paths.includes('dist/index.js'), 'the build ran before packing (tsc: the library)');
    assert.ok(paths.includes(manifest.bin.porta ?? ''), 'and the bundle (the command line)');
    assert.ok(paths.includes('dist/bundle/config-thread-main.js'));
    assert.ok(paths.includes('site/index.html'));
    assert.ok(paths.includes('assets/status.html'), 'the admin status page is packed');
    assert.ok(!paths.some((path) => path.startsWith('src/')), 'no sources in the package');

    const prefix = join(dir, 'prefix');
    run(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        join(dir, filename),
      ],
      dir,
    );
    const porta = join(prefix, 'bin', 'porta');
    assert.equal(run(porta, ['--version'], dir).stdout, `${manifest.version}\n`);
    assert.equal(run(porta, ['-v'], dir).stdout, `${manifest.version}\n`);

    const site = join(dir, 'public');
    mkdirSync(site);
    writeFileSync(join(site, 'index.html'), '<h1>installed</h1>\n');
    const child = spawn(porta, ['serve', '--host', '127.0.0.1', '--port', '0'], {
      cwd: site,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (log += text));
    child.stdout.resume();
    const exited = once(child, 'exit');
    try {
      const deadline = Date.now() + 30_000;
      let url: string | undefined;
      while (url === undefined) {
        url = /Listening on (http:\/\/\S+)/.exec(log)?.[1];
        if (child.exitCode !== null || Date.now() > deadline)
          assert.fail(`porta did not start:\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const response = await fetch(`${url}/`);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), '<h1>installed</h1>\n');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('npm start builds (tsc and the bundle) only when a source is newer than the build', () => {
    assert.match(manifest.scripts.start ?? '', /^node scripts\/build-if-stale\.mjs && /);
    assert.equal(manifest.scripts.prestart, undefined, 'no unconditional build before start');
    const project = join(dir, 'stale');
    mkdirSync(join(project, 'src', 'process'), { recursive: true });
    mkdirSync(join(project, 'scripts'));
    for (const name of ['build-if-stale.mjs', 'bundle.mjs'])
      cpSync(join(ROOT, 'scripts', name), join(project, 'scripts', name));
    symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
    // The real build script: `npm run build` is what build-if-stale runs.
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ type: 'module', scripts: { build: manifest.scripts.build } }),
    );
    writeFileSync(join(project, 'tsconfig.json'), '{ "compilerOptions": { "noEmit": true } }\n');
    writeFileSync(
      join(project, 'tsconfig.build.json'),
      '{ "compilerOptions": { "outDir": "dist", "rootDir": "src", "module": "NodeNext", "target": "ES2022", "types": [], "skipLibCheck": true }, "include": ["src/**/*.ts"] }\n',
    );
    writeFileSync(join(project, 'src', 'main.ts'), 'export const built: number = 1;\n');
    writeFileSync(join(project, 'src', 'process', 'config-thread-main.ts'), 'export {};\n');
    const script = join(project, 'scripts', 'build-if-stale.mjs');
    const outputs = [join(project, 'dist', 'main.js'), join(project, 'dist', 'bundle', 'main.js')];

    run(process.execPath, [script], project);
    for (const output of outputs)
      assert.match(readFileSync(output, 'utf8'), /built = 1/, 'no dist/: built');
    // Date the build in the past, the sources further back: dist/ is fresh.
    const past = new Date(Date.now() - 60_000);
    for (const output of outputs) utimesSync(output, past, past);
    const older = new Date(Date.now() - 120_000);
    for (const name of [
      'src/main.ts',
      'src/process/config-thread-main.ts',
      'src/process',
      'src',
      'tsconfig.json',
      'tsconfig.build.json',
      'scripts/bundle.mjs',
    ]) {
      utimesSync(join(project, name), older, older);
    }
    const dated = outputs.map((output) => statSync(output).mtimeMs);
    run(process.execPath, [script], project);
    assert.deepEqual(
      outputs.map((output) => statSync(output).mtimeMs),
      dated,
      'fresh dist/: not rebuilt',
    );

    writeFileSync(join(project, 'src', 'main.ts'), 'export const built: number = 2;\n');
    run(process.execPath, [script], project);
    for (const output of outputs)
      assert.match(readFileSync(output, 'utf8'), /built = 2/, 'an edited source: rebuilt');
    assert.deepEqual(readdirSync(join(project, 'dist')).sort(), ['bundle', 'main.js', 'process']);
  });
});
