// End to end in headless Chromium: seeking in a long audio file makes the browser ask for byte
// ranges, which porta answers with 206, and playback position lands where the user seeked.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium } from 'playwright-core';
import { type RunningServer, start } from '../../src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const SECONDS = 120;
const RATE = 22_050;

/** A PCM WAV file (RFC 2361 / RIFF): `seconds` of a quiet 440 Hz tone, mono, 16-bit. */
function wav(seconds: number): Buffer {
  const samples = seconds * RATE;
  const out = Buffer.alloc(44 + samples * 2);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + samples * 2, 4);
  out.write('WAVEfmt ', 8, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(RATE, 24);
  out.writeUInt32LE(RATE * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    out.writeInt16LE(Math.round(2000 * Math.sin((2 * Math.PI * 440 * i) / RATE)), 44 + i * 2);
  }
  return out;
}

describe(
  'media seeking in a browser',
  { skip: !existsSync(CHROMIUM) && 'chromium is not installed (scripts/install-system-deps.sh)' },
  () => {
    let root: string;
    let profile: string;
    let server: RunningServer;
    let browser: BrowserContext;
    let base = '';

    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'porta-media-'));
      await writeFile(join(root, 'tone.wav'), wav(SECONDS));
      await writeFile(
        join(root, 'index.html'),
        '<!doctype html><title>media</title><audio id="a" src="/tone.wav" preload="metadata"></audio>',
      );
      server = await start({
        sites: [{ listen: ['127.0.0.1:0'], routes: [{ path: '/', static: { root } }] }],
        log: { level: 'error', access: 'off' },
      });
      base = `http://127.0.0.1:${server.addresses[0]?.port ?? 0}`;
      profile = await mkdtemp(join(tmpdir(), 'porta-chromium-'));
      browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--mute-audio',
        ],
      });
    });

    after(async () => {
      await browser.close();
      await server.stop();
      await rm(profile, { recursive: true, force: true });
      await rm(root, { recursive: true, force: true });
    });

    it('seeks to the middle through a 206 range response', async () => {
      const page = browser.pages()[0] ?? (await browser.newPage());
      const ranges: { range: string; status: number; contentRange: string }[] = [];
      page.on('response', (response) => {
        if (!response.url().endsWith('/tone.wav')) return;
        const range = response.request().headers()['range'] ?? '';
        ranges.push({
          range,
          status: response.status(),
          contentRange: response.headers()['content-range'] ?? '',
        });
      });
      await page.goto(`${base}/`);
      await page.waitForFunction("document.getElementById('a').readyState >= 1");
      const duration = await page.evaluate<number>("document.getElementById('a').duration");
      assert.ok(Math.abs(duration - SECONDS) < 0.5, `duration ${duration}`);
      await page.evaluate("document.getElementById('a').currentTime = 100");
      await page.waitForFunction(
        "(a => !a.seeking && a.readyState >= 2)(document.getElementById('a'))",
        undefined,
        { timeout: 15_000 },
      );
      const position = await page.evaluate<number>("document.getElementById('a').currentTime");
      assert.ok(Math.abs(position - 100) < 1, `position after seeking: ${position}`);
      // The browser asked for a range far into the file and got exactly it.
      const seekOffset = 44 + 100 * RATE * 2 - RATE * 2 * 5; // within 5 s before the target
      const far = ranges.find((r) => {
        const start = /^bytes=(\d+)-/.exec(r.range);
        return start !== null && Number(start[1]) > seekOffset;
      });
      assert.ok(far, `a range request near the seek target: ${JSON.stringify(ranges)}`);
      assert.equal(far.status, 206);
      assert.match(far.contentRange, new RegExp(`^bytes \\d+-\\d+/${44 + SECONDS * RATE * 2}$`));
    });
  },
);
