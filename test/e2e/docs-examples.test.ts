// Every config and command the docs show really works: each fenced `yaml` block of README.md,
// docs/ and examples/ passes `porta check` (marked snippets inside a minimal config), and every
// `porta ...` line (docs, examples, the welcome page, container files) parses with the real CLI.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Command, CommanderError } from 'commander';
import { parse, stringify } from 'yaml';
import { checkConfigFile } from '../../src/cli/check-file.js';
import { createProgram } from '../../src/cli/index.js';
import { type TestPki, createTestPki } from '../support/tls-fixtures.js';
import {
  type CommandLine,
  type YamlBlock,
  commandLines,
  containerCommands,
  listFiles,
  yamlBlocks,
} from '../support/doc-snippets.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MARKDOWN = [
  'README.md',
  ...listFiles(ROOT, 'docs', (n) => n.endsWith('.md')),
  ...listFiles(ROOT, 'examples', (n) => n.endsWith('.md')),
];
const EXAMPLE_CONFIGS = listFiles(ROOT, 'examples', (n) => /^porta\.(ya?ml|json)$/.test(n));
const HANDLERS = ['static', 'proxy', 'echo', 'respond', 'redirect', 'app'];
const PATH_KEYS = new Set(['access_path', 'error_path', 'pid_file']);

type Node = Record<string, unknown>;

function isObject(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A partial config made whole: a route (handler or directives), a site, or top-level keys. */
function wrapSnippet(piece: unknown): Node {
  const keys = isObject(piece) ? Object.keys(piece) : [];
  const node = isObject(piece) ? piece : {};
  const site = { listen: ['127.0.0.1:0'] };
  if (keys.some((key) => ['listen', 'hosts', 'routes'].includes(key))) {
    return { sites: [{ ...site, routes: [{ echo: {} }], ...node }] };
  }
  if (
    keys.some((key) =>
      [
        'sites',
        'streams',
        'log',
        'limits',
        'timeouts',
        'workers',
        'pid_file',
        'base_dir',
        'admin',
      ].includes(key),
    )
  ) {
    return node.sites === undefined && node.streams === undefined
      ? { ...node, sites: [{ ...site, routes: [{ echo: {} }] }] }
      : node;
  }
  // Directives, or a route: give it a handler if it has none.
  const route = keys.some((key) => HANDLERS.includes(key)) ? node : { echo: {}, ...node };
  return { sites: [{ ...site, routes: [route] }] };
}

/**
 * Paths outside the sandbox (a static root of /srv/www, a log in /var/log) moved into it, and
 * the folders they name created: the check is about the config, not about this machine.
 */
function sandboxPaths(node: unknown, sandbox: string, base: string): void {
  if (Array.isArray(node)) {
    for (const item of node) sandboxPaths(item, sandbox, base);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'tls' && isObject(value)) {
      writeCertificateFiles(value, sandbox, base);
    } else if (typeof value === 'string' && key === 'root' && !value.includes('${')) {
      const folder = isAbsolute(value) ? join(sandbox, value) : resolve(base, value);
      if (!existsSync(folder)) mkdirSync(folder, { recursive: true });
      if (isAbsolute(value)) node[key] = folder;
    } else if (typeof value === 'string' && key === 'module') {
      // An app module shown: check reads that it exists (it never imports it).
      const file = isAbsolute(value) ? join(sandbox, value) : resolve(base, value);
      mkdirSync(dirname(file), { recursive: true });
      if (!existsSync(file))
        writeFileSync(file, 'export default { fetch: () => new Response() };\n');
      if (isAbsolute(value)) node[key] = file;
    } else if (typeof value === 'string' && PATH_KEYS.has(key) && isAbsolute(value)) {
      node[key] = join(sandbox, value);
      mkdirSync(dirname(node[key] as string), { recursive: true });
    } else {
      sandboxPaths(value, sandbox, base);
    }
  }
}

/** One certificate pair for every `tls: { cert, key }` the docs show (check reads and matches them). */
let testPair: { readonly certPem: string; readonly keyPem: string } | null = null;

/** Writes the shown certificate and key files (absolute ones moved into the sandbox). */
function writeCertificateFiles(tls: Record<string, unknown>, sandbox: string, base: string): void {
  // A proxy's `ca` (and `client_ca`) only has to parse as certificates: the leaf does.
  for (const key of ['cert', 'key', 'ca', 'client_ca'] as const) {
    const value = tls[key];
    if (typeof value !== 'string' || testPair === null) continue;
    const file = isAbsolute(value) ? join(sandbox, value) : resolve(base, value);
    if (isAbsolute(value)) tls[key] = file;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, key === 'key' ? testPair.keyPem : testPair.certPem);
  }
}

/** Parses argv with porta's own command line, running nothing; returns the error it printed. */
async function parseOnly(argv: readonly string[]): Promise<string | null> {
  const program = await createProgram();
  let printed = '';
  for (const command of [program, ...program.commands] as Command[]) {
    command.configureOutput({ writeOut: () => undefined, writeErr: (text) => (printed += text) });
    if (command !== program) command.action(() => undefined);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return null;
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return null; // --help, --version
    return printed === '' ? String(error) : printed.trim();
  }
}

describe('docs show what works', () => {
  const sandbox = mkdtempSync(join(tmpdir(), 'porta-docs-'));
  let pki: TestPki | null = null;
  before(async () => {
    pki = await createTestPki();
    testPair = await pki.issue(['example.com', 'localhost'], 'docs');
  });
  after(() => {
    rmSync(sandbox, { recursive: true, force: true });
    pki?.remove();
  });

  const blocks: YamlBlock[] = MARKDOWN.flatMap((file) => yamlBlocks(ROOT, file));

  it('finds the configs and commands to check', () => {
    assert.ok(blocks.length >= 10, `${blocks.length} yaml blocks`);
    assert.ok(EXAMPLE_CONFIGS.length >= 5, `${EXAMPLE_CONFIGS.length} example configs`);
  });

  it('every fenced yaml block passes porta check (snippets inside a minimal config)', async () => {
    const failures: string[] = [];
    for (const [index, block] of blocks.entries()) {
      const dir = join(sandbox, `block-${index}`);
      mkdirSync(dir);
      const parsed: unknown = parse(block.text);
      const config = block.snippet ? wrapSnippet(parsed) : parsed;
      sandboxPaths(config, dir, dir);
      const file = join(dir, 'porta.yaml');
      // Written back even when whole: sandboxPaths moved its absolute paths in place.
      writeFileSync(file, stringify(config));
      try {
        await checkConfigFile(file);
      } catch (error) {
        failures.push(
          `${block.where}${block.snippet ? ' (snippet)' : ''}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    assert.deepEqual(failures, []);
  });

  it('every example config passes porta check', async () => {
    const failures: string[] = [];
    for (const [index, example] of EXAMPLE_CONFIGS.entries()) {
      const dir = join(sandbox, `example-${index}`);
      mkdirSync(dir);
      const folder = dirname(join(ROOT, example));
      const config = parse(readFileSync(join(ROOT, example), 'utf8')) as Node;
      sandboxPaths(config, dir, folder);
      const file = join(dir, 'porta.yaml');
      writeFileSync(file, stringify({ ...config, base_dir: folder }));
      try {
        await checkConfigFile(file);
      } catch (error) {
        failures.push(`${example}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('every porta command line shown parses with the real command line', async () => {
    const sources = [
      ...MARKDOWN,
      'site/index.html',
      ...listFiles(ROOT, 'examples', (n) => /\.(ya?ml)$/.test(n)),
      'Dockerfile',
    ];
    const lines: CommandLine[] = [
      ...sources.flatMap((file) => commandLines(ROOT, file)),
      ...[
        'Dockerfile',
        ...listFiles(
          ROOT,
          'examples',
          (n) => n === 'docker-compose.yml' || n === 'deployment.yaml',
        ),
      ].flatMap((file) => containerCommands(ROOT, file)),
    ];
    assert.ok(lines.length >= 40, `only ${lines.length} command lines found`);
    const failures: string[] = [];
    const names = new Set((await createProgram()).commands.map((command) => command.name()));
    for (const line of lines) {
      // `porta` or `porta forward` alone in prose names the program or a command.
      const [first] = line.argv;
      if (first === undefined) continue;
      if (line.argv.length === 1 && !first.startsWith('-')) {
        if (!names.has(first))
          failures.push(`${line.where}: ${line.text}\n    no command ${first}`);
        continue;
      }
      const error = await parseOnly(line.argv);
      if (error !== null) failures.push(`${line.where}: ${line.text}\n    ${error}`);
    }
    assert.deepEqual(failures, []);
  });

  it('never says `npx porta` (that npm name is another project): the package is porta-server', () => {
    const files = [
      ...MARKDOWN,
      'site/index.html',
      ...listFiles(ROOT, 'src/cli', (n) => n.endsWith('.ts')),
    ];
    const wrong = files.filter((file) =>
      /npx porta(?!-server)\b/.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    assert.deepEqual(wrong, []);
  });

  it('catches a wrong flag, a wrong choice and an unknown command (the check has teeth)', async () => {
    assert.match((await parseOnly(['serve', '--prot', '80'])) ?? '', /unknown option '--prot'/);
    assert.match(
      (await parseOnly(['proxy', '--balance', 'nope'])) ?? '',
      /argument 'nope' is invalid/,
    );
    assert.match((await parseOnly(['serv'])) ?? '', /unknown command 'serv'/);
    assert.equal(await parseOnly(['serve', 'public', '--spa', '--port', '0']), null);
  });
});
