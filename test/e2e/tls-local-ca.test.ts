// End to end: `porta serve --https` with the local CA, `porta trust` into an NSS database, and Chromium trusting it (no warning).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { type PortaProcess, runPorta, spawnPorta } from '../support/porta-process.js';
import { waitFor } from '../support/wait-for.js';
import { httpsGet } from '../support/tls-fixtures.js';
import { PNG } from './static-png.js';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const WELCOME_SITE = new URL('../../site/', import.meta.url).pathname;
const HAS_CERTUTIL = existsSync('/usr/bin/certutil');

describe('porta serve --https with the local CA (2 workers)', () => {
  // A home and data folder of our own: the user's real trust stores are never touched.
  const home = mkdtempSync(join(tmpdir(), 'porta-home-'));
  const env = { ...process.env, HOME: home, PORTA_DATA_DIR: join(home, 'data') };
  const caPath = join(home, 'data', 'ca.pem');
  let porta: PortaProcess | undefined;
  let port = 0;

  before(async () => {
    porta = await spawnPorta(
      ['serve', WELCOME_SITE, '--https', '--host', '127.0.0.1', '--port', '0', '--workers', '2'],
      30_000,
      { env },
    );
    await waitFor(() => /\(2 workers\)/.test(porta?.stderr() ?? ''), 30_000);
    port = Number(new URL(porta.url).port);
  });

  after(async () => {
    await porta?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('makes the CA once, says how to trust it, and listens on https', () => {
    const log = porta?.stderr() ?? '';
    assert.match(porta?.url ?? '', /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(log.match(/Made a local certificate authority/g)?.length, 1, log);
    assert.match(log, /porta trust/);
    assert.ok(existsSync(caPath));
  });

  it('serves the welcome page to curl --cacert for localhost, 127.0.0.1 and the machine name', async () => {
    for (const host of ['localhost', '127.0.0.1', hostname().toLowerCase()]) {
      const { stdout } = await run('curl', [
        '-sS',
        '--max-time',
        '20',
        '--cacert',
        caPath,
        '--resolve',
        `${host}:${port}:127.0.0.1`,
        `https://${host}:${port}/`,
      ]);
      assert.match(stdout, /<title>[^<]*porta/i, host);
    }
  });

  it('serves node:https trusting the CA', async () => {
    const answer = await httpsGet(port, {
      ca: readFileSync(caPath, 'utf8'),
      servername: 'localhost',
    });
    assert.equal(answer.status, 200);
  });

  it(
    'porta trust adds the CA to an NSS database; Chromium then shows https://localhost with no warning',
    {
      skip:
        (!existsSync(CHROMIUM) || !HAS_CERTUTIL) &&
        'needs chromium and certutil (scripts/install-system-deps.sh)',
    },
    async () => {
      const launch = (userHome: string) =>
        chromium.launch({
          executablePath: CHROMIUM,
          // Chromium on Linux reads the NSS database in $HOME/.pki/nssdb.
          env: { ...process.env, HOME: userHome },
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
        });
      // Before trust: the certificate is refused (so the pass below means something).
      const untrusting = await launch(home);
      try {
        const page = await untrusting.newPage();
        await assert.rejects(page.goto(`https://localhost:${port}/`), /ERR_CERT_AUTHORITY_INVALID/);
      } finally {
        await untrusting.close();
      }
      const trust = await runPorta(['trust', '--no-system'], env);
      assert.equal(trust.code, 0, trust.stdout + trust.stderr);
      assert.match(trust.stdout, /ok {3}NSS .*\.pki\/nssdb: added as "porta local CA"/);
      const browser = await launch(home);
      try {
        const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
        const response = await page.goto(`https://localhost:${port}/`);
        assert.ok(response !== null);
        assert.equal(response.status(), 200);
        assert.match(await page.title(), /porta/i);
        const security = await response.securityDetails();
        assert.match(security?.protocol ?? '', /TLS 1\.3/);
        assert.match(security?.issuer ?? '', /porta local CA/);
        const png = await page.screenshot();
        const shot = PNG.decode(png);
        assert.equal(shot.width, 900);
        // PORTA_SCREENSHOT_DIR=<folder> keeps the picture (the "screenshot, no warning").
        const keep = process.env.PORTA_SCREENSHOT_DIR;
        if (keep !== undefined) writeFileSync(join(keep, 'https-localhost-trusted.png'), png);
      } finally {
        await browser.close();
      }
    },
  );
});
