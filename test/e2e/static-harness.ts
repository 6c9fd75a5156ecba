// Test support for the static handler: a fresh copy of the fixture site and a porta server serving it.
import { cp, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { type ConfigInput, type RunningServer, start } from '../../src/index.js';
import type { StaticConfigInput } from '../../src/config/static-schema.js';

const FIXTURES = new URL('../fixtures/static/', import.meta.url).pathname;

/** Bytes of the generated large text file (streamed, compressed on the fly). */
export const LARGE_TEXT_SIZE = 3 * 1024 * 1024 + 17;
/** Bytes of the generated large binary file (streamed, ranges from disk). */
export const LARGE_BINARY_SIZE = 2 * 1024 * 1024 + 5;

/** A byte at `i` of the generated binary file: a pattern that makes misplaced ranges visible. */
export function binaryByte(i: number): number {
  return (i * 31 + (i >> 8)) & 0xff;
}

/** Bytes `start` to `end` (inclusive) of the generated binary file. */
export function expectedBytes(start: number, end: number): Buffer {
  const out = Buffer.alloc(end - start + 1);
  for (let i = start; i <= end; i++) out[i - start] = binaryByte(i);
  return out;
}

/**
 * Copies the fixture site into a fresh temporary folder and adds what git cannot hold or what
 * must be generated: a `.git` folder, symlinks (inside and outside the root), precompressed
 * siblings newer than their file, large files. Returns the folder and a cleanup function.
 */
export async function makeSite(): Promise<{
  root: string;
  outside: string;
  remove(): Promise<void>;
}> {
  const base = await mkdtemp(join(tmpdir(), 'porta-static-'));
  const root = join(base, 'site');
  const outside = join(base, 'outside');
  await cp(FIXTURES, root, { recursive: true });
  // Secrets a careless server would leak, made here so no scanner flags the repository.
  await writeFile(join(root, '.env'), 'SECRET=1\n');
  await mkdir(join(root, '.git'));
  await writeFile(join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'outside the root\n');
  await symlink(join(outside, 'secret.txt'), join(root, 'escape.txt'));
  await symlink(outside, join(root, 'escape-dir'));
  await symlink(join(root, 'hello.txt'), join(root, 'inside-link.txt'));
  await symlink(join(root, '.env'), join(root, 'env-link.txt'));
  // A name with HTML specials (kept out of git: not every filesystem allows it).
  await writeFile(join(root, 'odd names', 'a <b> & "c".txt'), 'a <b> & "c"\n');

  // A compressible file with precompressed siblings, newer than it.
  const bundle = Buffer.from(`export const data = ${JSON.stringify('porta '.repeat(400))};\n`);
  await writeFile(join(root, 'bundle.js'), bundle);
  await writeFile(join(root, 'bundle.js.br'), brotliCompressSync(bundle));
  await writeFile(join(root, 'bundle.js.gz'), gzipSync(bundle));
  const past = new Date(Date.now() - 60_000);
  await utimes(join(root, 'bundle.js'), past, past);
  // A stale sibling (older than its file) must be ignored.
  const page = Buffer.from(`<p>${'fresh '.repeat(300)}</p>\n`);
  await writeFile(join(root, 'stale.html'), page);
  await writeFile(join(root, 'stale.html.gz'), gzipSync(Buffer.from('<p>old</p>')));
  await utimes(join(root, 'stale.html.gz'), past, past);

  // A text file worth compressing (cached) and a large one (streamed).
  await writeFile(
    join(root, 'text.txt'),
    'The quick brown fox jumps over the lazy dog.\n'.repeat(200),
  );
  const line = 'porta streams large files with backpressure and compresses them on the fly.\n';
  const large = Buffer.alloc(LARGE_TEXT_SIZE);
  for (let i = 0; i < LARGE_TEXT_SIZE; i++) large[i] = line.charCodeAt(i % line.length);
  await writeFile(join(root, 'large.txt'), large);
  const binary = Buffer.alloc(LARGE_BINARY_SIZE);
  for (let i = 0; i < LARGE_BINARY_SIZE; i++) binary[i] = binaryByte(i);
  await writeFile(join(root, 'large.bin'), binary);
  await writeFile(join(root, 'small.bin'), binary.subarray(0, 1000));
  await writeFile(join(root, 'empty.txt'), '');

  return {
    root,
    outside,
    remove: () => rm(base, { recursive: true, force: true }),
  };
}

export interface StaticServer {
  readonly port: number;
  readonly base: string;
  stop(): Promise<void>;
}

/**
 * Serves `static` options at `routePath` on 127.0.0.1, port 0, through porta's start();
 * `timeouts` override the engine's.
 */
export async function startStatic(
  options: StaticConfigInput,
  routePath = '/',
  timeouts: ConfigInput['timeouts'] = {},
): Promise<StaticServer> {
  const server: RunningServer = await start({
    sites: [{ listen: ['127.0.0.1:0'], routes: [{ path: routePath, static: options }] }],
    timeouts,
    log: { level: 'error', access: 'off' },
  });
  const port = server.addresses[0]?.port ?? 0;
  return { port, base: `http://127.0.0.1:${port}`, stop: () => server.stop() };
}
