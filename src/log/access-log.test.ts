// Tests the access log: exact combined and JSON lines, nginx escaping, batched writes, the drop cap, files, stdout.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createAccessLog, escapeLogValue } from './access-log.js';
import type { AccessRecord } from './access-log.js';

const ACCESS_LOG_MODULE = new URL('./access-log.ts', import.meta.url).href;
/** 2026-11-24 18:44:42.123 UTC. */
const STARTED = Date.UTC(2026, 10, 24, 18, 44, 42, 100);

class TestRecord implements AccessRecord {
  remoteAddress = '127.0.0.1';
  remoteUser = '';
  remotePort = 51234;
  method = 'GET';
  target = '/index.html?x=1';
  versionMajor = 1;
  versionMinor = 1;
  status = 200;
  bytesSent = 612;
  startedAt = STARTED;
  durationMs = 23.4567;
  readonly headers = new Map<string, string>([
    ['referer', 'https://example.com/'],
    ['user-agent', 'curl/8.5.0'],
    ['host', 'localhost:8080'],
  ]);

  header(lowerName: string): string | undefined {
    return this.headers.get(lowerName);
  }
}

/** A stream that keeps every chunk and counts write calls; `hold` keeps callbacks until release(). */
class CountingStream extends Writable {
  readonly chunks: string[] = [];
  hold = false;
  fail: Error | undefined;
  readonly #held: (() => void)[] = [];
  #onWrite: (() => void) | undefined;

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    if (this.fail !== undefined) {
      callback(this.fail);
      return;
    }
    this.chunks.push(chunk.toString('utf8'));
    this.#onWrite?.();
    if (this.hold)
      this.#held.push(() => {
        callback();
      });
    else callback();
  }

  release(): void {
    this.hold = false;
    for (const callback of this.#held.splice(0)) callback();
  }

  /** Resolves at the next write call. */
  nextWrite(): Promise<void> {
    return new Promise((resolve) => {
      this.#onWrite = resolve;
    });
  }

  get text(): string {
    return this.chunks.join('');
  }
}

async function withTimeZone(zone: string, body: () => Promise<void>): Promise<void> {
  const saved = process.env.TZ;
  process.env.TZ = zone;
  try {
    await body();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

/** Logs the records to a fresh combined log on a counting stream and returns the text. */
async function combinedText(...records: AccessRecord[]): Promise<string> {
  const stream = new CountingStream();
  const log = createAccessLog({ format: 'combined', path: 'test', stream });
  for (const record of records) log.log(record);
  await log.close();
  return stream.text;
}

describe('combined format', () => {
  it('writes the nginx combined line exactly, time local with its offset', async () => {
    await withTimeZone('UTC', async () => {
      assert.equal(
        await combinedText(new TestRecord()),
        '127.0.0.1 - - [24/Nov/2026:18:44:42 +0000] "GET /index.html?x=1 HTTP/1.1" 200 612 "https://example.com/" "curl/8.5.0"\n',
      );
    });
    await withTimeZone('Asia/Kolkata', async () => {
      assert.match(
        await combinedText(new TestRecord()),
        /^127\.0\.0\.1 - - \[25\/Nov\/2026:00:14:42 \+0530\] "GET /,
      );
    });
    await withTimeZone('America/New_York', async () => {
      assert.match(await combinedText(new TestRecord()), / - - \[24\/Nov\/2026:13:44:42 -0500\] /);
    });
  });

  it('writes the user basic_auth saw as $remote_user, escaped', async () => {
    const record = new TestRecord();
    record.remoteUser = 'al ice"\n';
    await withTimeZone('UTC', async () => {
      assert.match(await combinedText(record), /^127\.0\.0\.1 - al ice\\x22\\x0A \[24\/Nov/);
    });
  });

  it('stamps the finishing time and prints - for absent or empty fields', async () => {
    await withTimeZone('UTC', async () => {
      const record = new TestRecord();
      record.durationMs = 2000;
      record.versionMinor = 0;
      record.status = 404;
      record.bytesSent = 0;
      record.headers.delete('referer');
      record.headers.set('user-agent', '');
      const line = await combinedText(record);
      assert.equal(
        line,
        '127.0.0.1 - - [24/Nov/2026:18:44:44 +0000] "GET /index.html?x=1 HTTP/1.0" 404 0 "-" "-"\n',
      );
    });
  });

  it('escapes quotes, backslashes, control bytes and high bytes as \\xHH like nginx', async () => {
    const record = new TestRecord();
    record.target = '/a"b\x7f';
    record.headers.set('user-agent', 'x" "injected\\ \n\r\t\x1b[31m caf\xe9 \u20ac \u{1f600}');
    record.headers.set('referer', '"');
    const line = await combinedText(record);
    assert.match(
      line,
      /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/a\\x22b\\x7F HTTP\/1\.1" 200 612 "\\x22" "x\\x22 \\x22injected\\x5C \\x0A\\x0D\\x09\\x1B\[31m caf\\xE9 \\xE2\\x82\\xAC \\xF0\\x9F\\x98\\x80"\n$/,
    );
    // One line, whatever the client sent.
    assert.equal(line.indexOf('\n'), line.length - 1);
  });

  it('escapeLogValue returns clean text unchanged and maps lone surrogates to U+FFFD', () => {
    const clean = 'Mozilla/5.0 (X11; Linux x86_64)';
    assert.equal(escapeLogValue(clean), clean);
    assert.equal(escapeLogValue('a\ud800b'), 'a\\xEF\\xBF\\xBDb');
    assert.equal(escapeLogValue(''), '');
  });
});

describe('json format', () => {
  it('writes one parseable object per line with every field', async () => {
    const stream = new CountingStream();
    const log = createAccessLog({ format: 'json', path: 'test', stream });
    const first = new TestRecord();
    const second = new TestRecord();
    second.method = 'POST';
    second.target = '/api?q="x"';
    second.versionMinor = 0;
    second.status = 201;
    second.durationMs = 1000.5;
    second.headers.clear();
    second.headers.set('user-agent', 'caf\xc3\xa9 "quoted"\n\x01');
    log.log(first);
    log.log(second);
    await log.close();
    const lines = stream.text.split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
    assert.deepEqual(JSON.parse(lines[0] ?? ''), {
      time: '2026-11-24T18:44:42.123Z',
      remote_addr: '127.0.0.1',
      remote_user: '',
      method: 'GET',
      uri: '/index.html?x=1',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes_sent: 612,
      referer: 'https://example.com/',
      user_agent: 'curl/8.5.0',
      host: 'localhost:8080',
      duration_ms: 23.457,
    });
    assert.deepEqual(JSON.parse(lines[1] ?? ''), {
      time: '2026-11-24T18:44:43.100Z',
      remote_addr: '127.0.0.1',
      remote_user: '',
      method: 'POST',
      uri: '/api?q="x"',
      protocol: 'HTTP/1.0',
      status: 201,
      bytes_sent: 612,
      referer: '',
      // The latin1 bytes C3 A9 read back as the UTF-8 they were.
      user_agent: 'café "quoted"\n\x01',
      host: '',
      duration_ms: 1000.5,
    });
  });
});

describe('batched writing', () => {
  it('turns 1000 log() calls into a handful of writes, in order', async () => {
    const stream = new CountingStream();
    const log = createAccessLog({ format: 'combined', path: 'test', stream });
    const record = new TestRecord();
    for (let index = 0; index < 1000; index++) {
      record.target = `/page/${index}`;
      log.log(record);
    }
    // Nothing was written synchronously inside log().
    assert.ok(stream.chunks.length <= 1, `${stream.chunks.length} writes during the loop`);
    await log.flush();
    const lines = stream.text.trimEnd().split('\n');
    assert.equal(lines.length, 1000);
    lines.forEach((line, index) => {
      assert.ok(line.includes(`"GET /page/${index} HTTP/1.1"`), line);
    });
    // About 100 KiB of lines: 64 KiB batches make two or three writes, not a thousand.
    assert.ok(stream.chunks.length <= 4, `${stream.chunks.length} writes for 1000 lines`);
    await log.close();
  });

  it('writes a small batch by itself a moment later, in one write', async () => {
    const stream = new CountingStream();
    const log = createAccessLog({ format: 'combined', path: 'test', stream });
    const written = stream.nextWrite();
    log.log(new TestRecord());
    log.log(new TestRecord());
    log.log(new TestRecord());
    assert.equal(stream.chunks.length, 0);
    // The log's timer is unref'd (it never holds the process open): keep the loop alive meanwhile.
    const keepAlive = setInterval(() => undefined, 1000);
    await written;
    clearInterval(keepAlive);
    assert.equal(stream.chunks.length, 1);
    assert.equal(stream.text.split('\n').length, 4);
    await log.close();
  });

  it('drops and counts lines past the cap when the destination stalls, warning once', async () => {
    const stream = new CountingStream();
    stream.hold = true;
    const warnings: string[] = [];
    const log = createAccessLog({
      format: 'combined',
      path: 'test',
      stream,
      logger: { warning: (message) => warnings.push(message) },
    });
    const record = new TestRecord();
    record.headers.set('user-agent', 'u'.repeat(10_000));
    // 1000 lines of ~10 KB is ~10 MB against an 8 MiB cap.
    for (let index = 0; index < 1000; index++) log.log(record);
    const dropped = log.droppedLines;
    assert.ok(dropped > 100 && dropped < 300, `dropped ${dropped}`);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /too slow/);
    // Only the first batch was handed over while the destination stalled.
    assert.equal(stream.chunks.length, 1);
    stream.release();
    await log.flush();
    assert.equal(stream.text.split('\n').length - 1, 1000 - dropped);
    await log.close();
    assert.equal(warnings.length, 2);
    assert.match(warnings[1] ?? '', new RegExp(`${dropped} lines were dropped`));
  });

  it('survives a failing destination: warns once, flush resolves, later lines are dropped', async () => {
    const stream = new CountingStream();
    stream.fail = new Error('EIO: i/o error');
    const warnings: string[] = [];
    const log = createAccessLog({
      format: 'json',
      path: 'test',
      stream,
      logger: { warning: (message) => warnings.push(message) },
    });
    log.log(new TestRecord());
    await log.flush();
    log.log(new TestRecord());
    log.log(new TestRecord());
    await log.close();
    assert.equal(log.droppedLines, 3);
    assert.match(warnings[0] ?? '', /cannot write \(EIO: i\/o error\)/);
  });
});

describe('destinations', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'porta-access-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends to a file and close() flushes everything', async () => {
    const path = join(dir, 'access.log');
    await writeFile(path, 'old line\n');
    const log = createAccessLog({ format: 'json', path });
    const record = new TestRecord();
    for (let index = 0; index < 3000; index++) {
      record.status = 200 + (index % 3);
      log.log(record);
    }
    await log.close();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 3001);
    assert.equal(lines[0], 'old line');
    lines.slice(1).forEach((line, index) => {
      const parsed = JSON.parse(line) as { status: number };
      assert.equal(parsed.status, 200 + (index % 3));
    });
  });

  it('off is a no-op that creates nothing', async () => {
    const path = join(dir, 'off.log');
    const log = createAccessLog({ format: 'off', path });
    log.log(new TestRecord());
    await log.flush();
    await log.close();
    assert.equal(existsSync(path), false);
  });

  it('writes to stdout, and lines still pending at exit are not lost', () => {
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { createAccessLog } = await import(${JSON.stringify(ACCESS_LOG_MODULE)});
         const log = createAccessLog({ format: 'combined', path: 'stdout' });
         const record = { remoteAddress: '::1', method: 'HEAD', target: '/', versionMajor: 1, versionMinor: 1, status: 204,
           bytesSent: 0, startedAt: ${STARTED}, durationMs: 0, header: () => undefined };
         log.log(record);
         await log.flush();
         log.log({ ...record, status: 500 });
         process.exit(0);`,
      ],
      { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, timeout: 30_000 },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      result.stdout,
      '::1 - - [24/Nov/2026:18:44:42 +0000] "HEAD / HTTP/1.1" 204 0 "-" "-"\n' +
        '::1 - - [24/Nov/2026:18:44:42 +0000] "HEAD / HTTP/1.1" 500 0 "-" "-"\n',
    );
  });

  it('never blocks on a stalled stdout reader: drops past the cap, then delivers the rest', async () => {
    // The child logs ~25 MB while nobody reads its stdout; its event loop must keep turning.
    const code = `const { createAccessLog } = await import(${JSON.stringify(ACCESS_LOG_MODULE)});
      const log = createAccessLog({ format: 'combined', path: 'stdout' });
      const record = { remoteAddress: '::1', method: 'GET', target: '/', versionMajor: 1, versionMinor: 1, status: 200,
        bytesSent: 0, startedAt: ${STARTED}, durationMs: 0, header: () => 'u'.repeat(1000) };
      for (let round = 0; round < 50; round++) {
        for (let i = 0; i < 500; i++) log.log(record);
        await new Promise((resolve) => setImmediate(resolve));
      }
      process.stderr.write('logged, dropped=' + log.droppedLines + '\\n');
      await log.close();`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      child.stdout.pause();
      let stderr = '';
      let stdoutBytes = 0;
      let newlines = 0;
      const logged = new Promise<number>((resolve) => {
        child.stderr.on('data', (data: Buffer) => {
          stderr += data.toString();
          const match = /logged, dropped=(\d+)/.exec(stderr);
          if (match !== null) resolve(Number(match[1]));
        });
      });
      const exited = new Promise<number | null>((resolve) => {
        child.on('exit', resolve);
      });
      // Reached only if the child's loop ran to the end while stdout was not read.
      const dropped = await logged;
      assert.ok(dropped > 0, stderr);
      child.stdout.on('data', (data: Buffer) => {
        stdoutBytes += data.length;
        for (const byte of data) if (byte === 0x0a) newlines++;
      });
      child.stdout.resume();
      assert.equal(await exited, 0, stderr);
      assert.equal(newlines, 25_000 - dropped);
      assert.ok(stdoutBytes > 8_000_000);
      assert.match(stderr, /too slow; dropping lines/);
      assert.match(stderr, new RegExp(`${dropped} lines were dropped in all`));
    } finally {
      child.kill();
    }
  });
});
