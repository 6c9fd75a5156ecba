// End to end: what each porta process really loads (every ES module, recorded by a loader hook):
// a cluster primary loads no YAML parser, no schema library, no plan, engine or handlers, also
// after a reload and a refused one; workers load no schema library and only the handlers their
// config uses; one process loads no handler its config does not use. Neither loads node:http
// or the HTTP/2 engine for a cleartext HTTP/1.1 site. porta runs as a bundle (scripts/bundle.mjs):
// each chunk a process loads stands for the source modules in it (dist/bundle/chunks.json), so
// the checks below name src/ modules; a chunk that brings zod or a handler along fails them too.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  PORTA_MAIN,
  type PortaProcess,
  freePort,
  isListening,
  spawnPorta,
} from '../support/porta-process.js';
import { httpsGet } from '../support/tls-fixtures.js';
import { loadedModules, recordModules, threadsOf } from '../support/module-record.js';

/** Modules only a worker, one process or a config check may load (paths under src/ or node_modules/). */
const NOT_IN_PRIMARY = [
  /\/node_modules\/zod\//,
  /\/node_modules\/yaml\//,
  /\/node_modules\/mime\//,
  /\/node_modules\/node-forge\//,
  /\/node_modules\/tsx\//,
  /\/src\/tls\//,
  /\/src\/http2\//,
  // A one-liner's primary builds its config without the schema (config/one-liner-config.ts).
  /\/src\/config\/(?!units\.ts|config-file-name\.ts|one-liner-config\.ts|defaults\.generated\.ts|listen-conflicts\.ts|config-error\.ts|admin-options\.ts)/,
  /\/src\/handlers\/(?!directives\/password-hash\.ts)/,
  /\/src\/http1?\//,
  /\/src\/runtime\/(?!fd-limit\.ts)/,
  /\/src\/forward\/(?!port-mapping\.ts)/,
  /\/src\/process\/(worker|config-source|config-child)\.ts/,
];

async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A porta.yaml of one site on 127.0.0.1:`port`, access log off. */
function siteConfig(workers: number, port: number, routes: readonly string[]): string {
  return [
    `workers: ${workers}`,
    'log: { access: "off" }',
    'sites:',
    `  - listen: ["127.0.0.1:${port}"]`,
    '    routes:',
    ...routes.map((route) => `      - ${route}`),
    '',
  ].join('\n');
}

/**
 * What `porta serve <dir>` never needs (by module name, whatever the build bundles): TLS,
 * node:crypto, node:zlib for a file too small to compress, the directives, the HTTPS extras and other handlers' options, the h2c sniffer, TCP
 * streams, the config thread, pid and reload-status files, the folder listing, and the full mime
 * table for an index.html.
 */
const NOT_IN_SERVE = new RegExp(
  [
    '^node:(tls|worker_threads|http2?|crypto|zlib)$',
    '/net/(tls-acceptor|certificate-watcher|tls-certificate|sni-table)\\.ts$',
    '/config/(build-directives|build-https-extras|tls-options|proxy-options|app-options|forward-options)\\.ts$',
    '/handlers/directives/',
    '/runtime/(protocol-choice|stream-listener)\\.ts$',
    '/http2/preface\\.ts$',
    '/process/(config-thread|pid-file|reload-status|udp-split)\\.ts$',
    '/handlers/static/listing\\.ts$',
    '/node_modules/mime/',
  ].join('|'),
);

/** The config stack: one process validates in a thread, never in its main thread. */
const CONFIG_STACK = /\/node_modules\/(zod|yaml)\/|\/src\/config\/(validate|load|schema)\.ts/;

/** The command line's own modules (src/cli/) a process loaded, by file name. */
function cliModules(modules: readonly string[]): string[] {
  return modules
    .filter((url) => url.includes('/src/cli/'))
    .map((url) => url.slice(url.lastIndexOf('/') + 1))
    .sort();
}

/** What any `porta <command>` loads of src/cli/ besides its command's own module(s). */
const CLI_CORE = ['commands.ts', 'index.ts', 'quiet-pipe.ts', 'version.ts'];

function offending(modules: readonly string[]): string[] {
  return modules.filter((url) => NOT_IN_PRIMARY.some((pattern) => pattern.test(url)));
}

/**
 * GET over a new connection: a pooled keep-alive one may reach a worker a reload is retiring,
 * which answers one last request from the config it was started with (the hand-over).
 */
function freshGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve(body);
      });
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

describe('what each porta process loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-light-'));
  const site = join(dir, 'site');
  mkdirSync(site);
  writeFileSync(join(site, 'index.html'), 'hello');
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const recording = (name: string): { modules: string; env: NodeJS.ProcessEnv } =>
    recordModules(dir, name);

  it('a 2-worker primary loads no zod, YAML, plan, engine or handler, through reloads too', async () => {
    const port = await freePort();
    const file = join(dir, 'porta.yaml');
    const config = (body: string): string =>
      siteConfig(2, port, [
        `{ path: /, static: { root: ${JSON.stringify(site)} } }`,
        `{ path: /v, respond: { body: ${body} } }`,
      ]);
    writeFileSync(file, config('one'));
    const { modules, env } = recording('cluster');
    let porta: PortaProcess | null = null;
    try {
      porta = await spawnPorta(['run', '-c', file, '--pid-file', join(dir, 'pid')], 60_000, {
        env,
      });
      const running = porta;
      await waitFor(() => /\(2 workers\)/.test(running.stderr()), 'both workers');
      assert.equal(await freshGet(`http://127.0.0.1:${port}/`), 'hello');
      // A good reload, then a bad one: the primary never validates in itself.
      writeFileSync(file, config('two'));
      running.child.kill('SIGHUP');
      await waitFor(() => /Configuration reloaded/.test(running.stderr()), 'the reload');
      assert.equal(await freshGet(`http://127.0.0.1:${port}/v`), 'two');
      writeFileSync(file, config('two').replace('workers: 2', 'workers: 2\nwokers: 3'));
      running.child.kill('SIGHUP');
      await waitFor(() => /Reload failed/.test(running.stderr()), 'the refused reload');
      assert.match(running.stderr(), /porta\.yaml:2:1 wokers: unknown key/);
      assert.equal(await freshGet(`http://127.0.0.1:${port}/v`), 'two');

      const all = loadedModules(modules);
      const pid = running.child.pid ?? 0;
      const primary = all.get(pid) ?? [];
      assert.ok(
        primary.some((url) => url.endsWith('/src/process/supervisor.ts')),
        'recorded',
      );
      assert.deepEqual(offending(primary), [], 'the primary loaded what only others need');
      const others = [...all.entries()].filter(([other]) => other !== pid).map(([, list]) => list);
      const workers = others.filter((list) =>
        list.some((url) => url.endsWith('/src/process/worker.ts')),
      );
      const checks = others.filter((list) =>
        list.some((url) => url.endsWith('/src/process/config-child.ts')),
      );
      assert.ok(workers.length >= 4, `workers recorded: ${workers.length}`); // 2, then 2 more
      assert.equal(checks.length, 3); // start, good reload, bad reload
      for (const worker of workers) {
        assert.ok(worker.some((url) => url.includes('/src/handlers/static/')));
        const heavy = worker.filter((url) =>
          /\/node_modules\/(zod|yaml|commander|node-forge|tsx)\/|\/handlers\/(proxy|app)\/|\/src\/(forward|tls)\/|\/src\/http2\/(?!preface\.ts)|^node:http2?$/.test(
            url,
          ),
        );
        assert.deepEqual(heavy, [], 'a worker loaded what its config does not use');
      }
      // The hook sees the schema library where it is loaded: in each check.
      for (const check of checks)
        assert.ok(check.some((url) => url.includes('/node_modules/zod/')));
    } finally {
      await porta?.stop();
    }
  });

  it('with admin:, the primary loads the engine for it, still no zod, YAML, TLS or site handlers', async () => {
    const port = await freePort();
    const adminPort = await freePort();
    const file = join(dir, 'admin.yaml');
    writeFileSync(
      file,
      [
        'workers: 2',
        'log: { access: "off" }',
        `admin: 127.0.0.1:${adminPort}`,
        'sites:',
        `  - listen: ["127.0.0.1:${port}"]`,
        '    routes:',
        `      - { path: /, static: { root: ${JSON.stringify(site)} } }`,
        '',
      ].join('\n'),
    );
    const { modules, env } = recording('admin');
    let porta: PortaProcess | null = null;
    try {
      porta = await spawnPorta(['run', '-c', file, '--pid-file', join(dir, 'pid-admin')], 60_000, {
        env,
      });
      const running = porta;
      await waitFor(() => /\(2 workers\)/.test(running.stderr()), 'both workers');
      assert.equal(await freshGet(`http://127.0.0.1:${port}/`), 'hello');
      assert.equal(await freshGet(`http://127.0.0.1:${adminPort}/readyz`), 'ready\n');
      const metrics = await freshGet(`http://127.0.0.1:${adminPort}/metrics`);
      assert.match(metrics, /porta_http_requests_total\{[^}]*route="\/"[^}]*status="2xx"\} 1/);

      const all = loadedModules(modules);
      const pid = running.child.pid ?? 0;
      const primary = all.get(pid) ?? [];
      assert.ok(primary.some((url) => url.endsWith('/src/runtime/admin-endpoint.ts')));
      const heavy = primary.filter((url) =>
        /\/node_modules\/(zod|yaml|mime|node-forge|tsx)\/|\/src\/handlers\/(static|proxy|app|echo)\/|\/src\/tls\//.test(
          url,
        ),
      );
      assert.deepEqual(heavy, [], 'the primary loaded more than its admin listener needs');
      const workers = [...all.entries()]
        .filter(([other]) => other !== pid)
        .map(([, list]) => list)
        .filter((list) => list.some((url) => url.endsWith('/src/process/worker.ts')));
      assert.equal(workers.length, 2);
      for (const worker of workers) {
        const admin = worker.filter((url) => /\/handlers\/admin\/|admin-endpoint/.test(url));
        assert.deepEqual(admin, [], 'a worker loaded the admin listener');
      }
    } finally {
      await porta?.stop();
    }
  });

  it('tls: internal is issued once, by the check child: the primary loads no node-forge', async () => {
    const port = await freePort();
    const file = join(dir, 'internal.yaml');
    const data = join(dir, 'porta-data');
    writeFileSync(
      file,
      [
        'workers: 2',
        'log: { access: "off" }',
        'sites:',
        `  - listen: ["127.0.0.1:${port}"]`,
        '    tls: internal',
        '    routes:',
        '      - { path: /, respond: { body: secure } }',
        '',
      ].join('\n'),
    );
    const recorded = recording('internal');
    const env = { ...recorded.env, PORTA_DATA_DIR: data };
    let porta: PortaProcess | null = null;
    try {
      porta = await spawnPorta(['run', '-c', file, '--pid-file', join(dir, 'pid-tls')], 60_000, {
        env,
      });
      const running = porta;
      await waitFor(() => /\(2 workers\)/.test(running.stderr()), 'both workers');
      const ca = readFileSync(join(data, 'ca.pem'), 'utf8');
      const answer = await httpsGet(port, { ca, servername: 'localhost' });
      assert.equal(answer.body, 'secure');
      // Made once, before the workers: no worker made a CA or a leaf of its own.
      assert.equal(running.stderr().match(/Made a local certificate authority/g)?.length, 1);
      assert.equal(running.stderr().match(/Issued a local certificate/g)?.length, 1);

      const all = loadedModules(recorded.modules);
      const pid = running.child.pid ?? 0;
      assert.deepEqual(offending(all.get(pid) ?? []), [], 'the primary loaded the local CA');
      const checks = [...all.values()].filter((list) =>
        list.some((url) => url.endsWith('/src/process/config-child.ts')),
      );
      assert.equal(checks.length, 1);
      assert.ok(checks[0]?.some((url) => url.includes('/node_modules/node-forge/')));
    } finally {
      await porta?.stop();
    }
  });

  it('a bad config is refused with its file and key path before anything binds', async () => {
    const port = await freePort();
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `workers: 2\nsites:\n  - listen: ["127.0.0.1:${port}"]\n    routes:\n      - { path: /, respond: { status: 99 } }\n`,
    );
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [PORTA_MAIN, 'run', '-c', file], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    try {
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 1, stderr);
      assert.match(stderr, /bad\.yaml:5:\d+ sites\[0\]\.routes\[0\]\.respond\.status/);
      assert.equal(await isListening(port), false);
      assert.equal(existsSync(join(dir, 'bad.pid')), false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('porta serve loads only the handlers its config uses, and no config stack, nor a thread', async () => {
    const { modules, env } = recording('single');
    let porta: PortaProcess | null = null;
    try {
      porta = await spawnPorta(['serve', site, '--host', '127.0.0.1', '--port', '0'], 60_000, {
        env,
      });
      assert.equal(await (await fetch(`${porta.url}/`)).text(), 'hello');
      const pid = porta.child.pid ?? 0;
      const list = loadedModules(modules).get(pid) ?? [];
      assert.ok(
        list.some((url) => url.includes('/src/handlers/static/')),
        'recorded',
      );
      const unused = list.filter((url) =>
        /\/handlers\/(proxy|echo|redirect|respond)\/|\/src\/forward\/(?!port-mapping)|\/tcp-echo\.ts|\/src\/http2\/(?!preface\.ts)|^node:http2?$/.test(
          url,
        ),
      );
      assert.deepEqual(unused, []);
      // Nor what only some configs use, loaded when a plan first has it (e2e/load-on-use).
      assert.deepEqual(
        list.filter((url) => NOT_IN_SERVE.test(url)),
        [],
        'porta serve loaded code its config does not use',
      );
      assert.deepEqual(
        list.filter((url) => CONFIG_STACK.test(url)),
        [],
        'the main thread loaded the config stack',
      );
      // Its config is built without the schema library (config/one-liner-config.ts).
      assert.ok(list.some((url) => url.endsWith('/src/config/one-liner-config.ts')));
      assert.deepEqual(threadsOf(modules, pid), [], 'no config check thread');
      // No other command's module (run, proxy, check, trust...), no cluster primary, and no
      // --open code: the command line loads only what `serve` needs (cli/commands.ts).
      assert.deepEqual(
        cliModules(list),
        [...CLI_CORE, 'common-options.ts', 'run-server.ts', 'serve.ts', 'server-target.ts'].sort(),
      );
      assert.deepEqual(
        list.filter((url) => /\/src\/process\/(supervisor|config-check)\.ts$/.test(url)),
        [],
      );
    } finally {
      await porta?.stop();
    }
  });

  it('a one-liner the fast path leaves alone validates in a thread, as one process', async () => {
    const { modules, env } = recording('single-echo');
    let porta: PortaProcess | null = null;
    try {
      porta = await spawnPorta(
        ['echo', '--name', 'edge-1', '--host', '127.0.0.1', '--port', '0'],
        60_000,
        { env },
      );
      const answer = await fetch(`${porta.url}/`);
      assert.equal(answer.headers.get('x-served-by'), 'edge-1');
      const pid = porta.child.pid ?? 0;
      const list = loadedModules(modules).get(pid) ?? [];
      assert.ok(list.length > 0, 'recorded');
      assert.deepEqual(
        list.filter((url) => CONFIG_STACK.test(url)),
        [],
        'the main thread loaded the config stack',
      );
      const threads = threadsOf(modules, pid);
      assert.equal(threads.length, 1, 'one config check thread');
      assert.ok(threads[0]?.some((url) => url.includes('/node_modules/zod/')));
    } finally {
      await porta?.stop();
    }
  });

  it('porta serve --workers 2: neither the primary nor a worker loads zod, and no check child runs', async () => {
    const { modules, env } = recording('serve-cluster');
    let porta: PortaProcess | null = null;
    try {
      porta = await spawnPorta(
        ['serve', site, '--host', '127.0.0.1', '--port', '0', '--workers', '2'],
        60_000,
        { env },
      );
      const running = porta;
      await waitFor(() => /\(2 workers\)/.test(running.stderr()), 'both workers');
      assert.equal(await (await fetch(`${porta.url}/`)).text(), 'hello');
      const pid = porta.child.pid ?? 0;
      const all = loadedModules(modules);
      assert.deepEqual(offending(all.get(pid) ?? []), [], 'the primary loaded worker modules');
      // Its primary loads the cluster part of the command line, still no other command.
      assert.deepEqual(
        cliModules(all.get(pid) ?? []),
        [
          ...CLI_CORE,
          'common-options.ts',
          'run-cluster.ts',
          'run-server.ts',
          'serve.ts',
          'server-target.ts',
        ].sort(),
      );
      // The primary and its two workers: no third process (a check child) was started.
      assert.equal(all.size, 3, `processes: ${[...all.keys()].join(' ')}`);
      for (const [id, list] of all) {
        assert.deepEqual(
          list.filter((url) => CONFIG_STACK.test(url)),
          [],
          `process ${id} loaded the config stack`,
        );
      }
    } finally {
      await porta?.stop();
    }
  });

  it('porta run with workers: 1 serves and reloads without the config stack in its main thread', async () => {
    const port = await freePort();
    const file = join(dir, 'single.yaml');
    const config = (body: string): string =>
      siteConfig(1, port, [`{ path: /v, respond: { body: ${body} } }`]);
    writeFileSync(file, config('one'));
    const { modules, env } = recording('single-run');
    let porta: PortaProcess | null = null;
    try {
      porta = await spawnPorta(['run', '-c', file, '--pid-file', join(dir, 'pid-single')], 60_000, {
        env,
      });
      const running = porta;
      await waitFor(() => /, 1 process\)/.test(running.stderr()), 'the start');
      assert.equal(await freshGet(`http://127.0.0.1:${port}/v`), 'one');
      writeFileSync(file, config('two'));
      running.child.kill('SIGHUP');
      await waitFor(() => /Configuration reloaded/.test(running.stderr()), 'the reload');
      assert.equal(await freshGet(`http://127.0.0.1:${port}/v`), 'two');
      // A refused reload names file, line and key as `porta check` does, and changes nothing.
      writeFileSync(file, config('three').replace('workers: 1', 'workers: 1\nwokers: 3'));
      running.child.kill('SIGHUP');
      await waitFor(() => /Reload failed/.test(running.stderr()), 'the refused reload');
      assert.match(running.stderr(), /single\.yaml:2:1 wokers: unknown key/);
      assert.equal(await freshGet(`http://127.0.0.1:${port}/v`), 'two');

      const pid = running.child.pid ?? 0;
      const main = loadedModules(modules).get(pid) ?? [];
      assert.ok(
        main.some((url) => url.endsWith('/src/runtime/start.ts')),
        'recorded',
      );
      assert.deepEqual(
        main.filter((url) => CONFIG_STACK.test(url)),
        [],
        'the main thread loaded the config stack',
      );
      // The count is in the file only: the start is checked in a child, each reload in a thread.
      const threads = threadsOf(modules, pid);
      assert.equal(threads.length, 2, 'a thread per reload');
      for (const thread of threads)
        assert.ok(thread.some((url) => url.includes('/node_modules/zod/')));
    } finally {
      await porta?.stop();
    }
  });
});
