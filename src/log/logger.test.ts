// Tests the error log: Python's asctime text or JSON, level filtering, files appended and reopened, stderr by default, nothing lost at exit.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, formatLogTime } from './logger.js';
import { isPortaError } from '../errors.js';

const LOGGER_MODULE = new URL('./logger.ts', import.meta.url).href;
const TIME = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}`;

function lineRegex(level: string, message: string): RegExp {
  return new RegExp(`^${TIME} ${level} ${message}$`);
}

/** Runs an ES module snippet in a fresh node (with tsx) and returns its output. */
function runChild(
  code: string,
  env: Record<string, string> = {},
): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', code],
    {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 30_000,
    },
  );
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

async function withTimeZone(zone: string, body: () => void | Promise<void>): Promise<void> {
  const saved = process.env.TZ;
  // Node resets its time zone cache when TZ is assigned (since Node 13).
  process.env.TZ = zone;
  try {
    await body();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

describe('formatLogTime', () => {
  it('writes local time like Python asctime, comma before the milliseconds', async () => {
    await withTimeZone('UTC', () => {
      assert.equal(
        formatLogTime(Date.UTC(2026, 10, 24, 18, 44, 42, 123)),
        '2026-11-24 18:44:42,123',
      );
    });
    await withTimeZone('Asia/Kolkata', () => {
      assert.equal(formatLogTime(Date.UTC(2026, 10, 24, 18, 44, 50, 7)), '2026-11-25 00:14:50,007');
    });
    await withTimeZone('America/New_York', () => {
      // Summer time (EDT, UTC-4), then winter time (EST, UTC-5).
      assert.equal(formatLogTime(Date.UTC(2026, 6, 1, 12, 0, 0, 0)), '2026-07-01 08:00:00,000');
      assert.equal(formatLogTime(Date.UTC(2026, 0, 1, 12, 0, 0, 45)), '2026-01-01 07:00:00,045');
    });
  });

  it('pads milliseconds and follows the clock across seconds and back', async () => {
    await withTimeZone('UTC', () => {
      const base = Date.UTC(2030, 0, 2, 3, 4, 5, 0);
      assert.equal(formatLogTime(base + 5), '2030-01-02 03:04:05,005');
      assert.equal(formatLogTime(base + 45), '2030-01-02 03:04:05,045');
      assert.equal(formatLogTime(base + 999.9), '2030-01-02 03:04:05,999');
      assert.equal(formatLogTime(base + 1000), '2030-01-02 03:04:06,000');
      assert.equal(formatLogTime(base - 1), '2030-01-02 03:04:04,999');
      assert.equal(formatLogTime(base + 1), '2030-01-02 03:04:05,001');
    });
  });
});

describe('createLogger to a file', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'porta-logger-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the classic line, filters by level, and appends to what is there', async () => {
    const path = join(dir, 'error.log');
    await writeFile(path, 'earlier line\n');
    const logger = createLogger({ level: 'info', path });
    assert.equal(logger.debugEnabled, false);
    logger.debug('not written');
    logger.info('Listening on http://127.0.0.1:8080');
    logger.warning('slow upstream');
    logger.error('boom');
    await logger.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    assert.equal(lines.length, 5);
    assert.equal(lines[0], 'earlier line');
    assert.match(lines[1] ?? '', lineRegex('INFO', 'Listening on http://127\\.0\\.0\\.1:8080'));
    assert.match(lines[2] ?? '', lineRegex('WARNING', 'slow upstream'));
    assert.match(lines[3] ?? '', lineRegex('ERROR', 'boom'));
    assert.equal(lines[4], '');
  });

  it('format json: one object per line, message escaped, level as the config names it', async () => {
    const path = join(dir, 'error.json.log');
    const logger = createLogger({ level: 'info', path, format: 'json' });
    logger.debug('not written');
    logger.info('Listening on http://127.0.0.1:8080');
    logger.warning('a "quoted"\nline');
    await logger.close();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 2);
    const objects = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const first = objects[0] ?? {};
    const second = objects[1] ?? {};
    assert.deepEqual(Object.keys(first), ['time', 'level', 'pid', 'message']);
    assert.match(String(first['time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(first['level'], 'info');
    assert.equal(first['pid'], process.pid);
    assert.equal(first['message'], 'Listening on http://127.0.0.1:8080');
    assert.equal(second['level'], 'warning');
    assert.equal(second['message'], 'a "quoted"\nline');
  });

  it('reopen: after a rename, lines go to a new file at the path; the old one keeps the rest', async () => {
    const path = join(dir, 'rotated.log');
    const logger = createLogger({ level: 'info', path });
    logger.info('before');
    await logger.flush();
    logger.info('gathered before the rename'); // not written yet: goes with the next batch
    await rename(path, `${path}.1`);
    logger.reopen?.();
    logger.info('after');
    await logger.close();
    const old = await readFile(`${path}.1`, 'utf8');
    const fresh = await readFile(path, 'utf8');
    assert.match(old, /INFO before\n$/);
    assert.match(fresh, /INFO gathered before the rename\n.* INFO after\n$/);
  });

  it('reopen keeps the old file when the path cannot be opened again, and says so', async () => {
    const sub = join(dir, 'gone');
    await mkdir(sub);
    const path = join(sub, 'error.log');
    const logger = createLogger({ level: 'info', path });
    logger.info('one');
    await logger.flush();
    await rename(path, join(dir, 'kept.log'));
    await rm(sub, { recursive: true });
    const stderr = process.stderr.write.bind(process.stderr);
    let warned = '';
    process.stderr.write = (chunk: string | Uint8Array): boolean => {
      warned += String(chunk);
      return true;
    };
    try {
      logger.reopen?.();
    } finally {
      process.stderr.write = stderr;
    }
    logger.info('two');
    await logger.close();
    assert.match(warned, /WARNING cannot open log file .*ENOENT.*; still writing to the old file/);
    assert.match(await readFile(join(dir, 'kept.log'), 'utf8'), /INFO one\n.* INFO two\n$/);
  });

  it('setLevel moves the threshold both ways; error always passes', async () => {
    const path = join(dir, 'levels.log');
    const logger = createLogger({ level: 'error', path });
    logger.info('hidden 1');
    logger.warning('hidden 2');
    logger.error('shown 1');
    logger.setLevel('debug');
    assert.equal(logger.debugEnabled, true);
    logger.debug('shown 2');
    logger.setLevel('warning');
    assert.equal(logger.debugEnabled, false);
    logger.info('hidden 3');
    logger.warning('shown 3');
    await logger.flush();
    const text = await readFile(path, 'utf8');
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0] ?? '', lineRegex('ERROR', 'shown 1'));
    assert.match(lines[1] ?? '', lineRegex('DEBUG', 'shown 2'));
    assert.match(lines[2] ?? '', lineRegex('WARNING', 'shown 3'));
    await logger.close();
  });

  it('flush resolves once the lines are in the file, and many lines keep their order', async () => {
    const path = join(dir, 'many.log');
    const logger = createLogger({ level: 'debug', path });
    for (let index = 0; index < 5000; index++) logger.debug(`line ${index}`);
    await logger.flush();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 5000);
    lines.forEach((line, index) => {
      assert.match(line, lineRegex('DEBUG', `line ${index}`));
    });
    await logger.close();
  });

  it('refuses a path it cannot open with a PortaError naming it', () => {
    const path = join(dir, 'missing-dir', 'error.log');
    assert.throws(
      () => createLogger({ level: 'info', path }),
      (error: unknown) =>
        isPortaError(error) &&
        error.code === 'PORTA_CONFIG_INVALID' &&
        error.message.includes(path),
    );
  });

  it('writes pending lines when the process exits without close()', async () => {
    const path = join(dir, 'exit.log');
    const child = runChild(
      `const { createLogger } = await import(${JSON.stringify(LOGGER_MODULE)});
       const logger = createLogger({ level: 'info', path: ${JSON.stringify(path)} });
       logger.info('before exit');
       logger.error('fatal');
       process.exit(3);`,
    );
    assert.equal(child.status, 3, child.stderr);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', lineRegex('INFO', 'before exit'));
    assert.match(lines[1] ?? '', lineRegex('ERROR', 'fatal'));
  });
});

describe('createLogger to stdio', () => {
  it('writes to stderr by default and to stdout when asked', () => {
    const child = runChild(
      `const { createLogger } = await import(${JSON.stringify(LOGGER_MODULE)});
       const err = createLogger({ level: 'warning' });
       err.info('hidden');
       err.warning('to stderr');
       const out = createLogger({ level: 'debug', path: 'stdout' });
       out.debug('to stdout');
       await err.close();
       await out.close();`,
      { TZ: 'UTC' },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stderr.trimEnd(), lineRegex('WARNING', 'to stderr'));
    assert.match(child.stdout.trimEnd(), lineRegex('DEBUG', 'to stdout'));
  });
});
