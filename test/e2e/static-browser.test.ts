// End to end in headless Chromium: the welcome site and a fixture page render with their CSS, script and image; listings too.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PNG } from './static-png.js';
import { makeSite, startStatic, type StaticServer } from './static-harness.js';

const CHROMIUM = '/usr/bin/chromium';
const WELCOME_SITE = new URL('../../site/', import.meta.url).pathname;
/** Page-side checks are strings: this project compiles without the DOM library. */
const SCRIPT_RAN = "document.getElementById('script-status')?.textContent === 'script ran'";

describe(
  'static files in a browser',
  { skip: !existsSync(CHROMIUM) && 'chromium is not installed (scripts/install-system-deps.sh)' },
  () => {
    let site: Awaited<ReturnType<typeof makeSite>>;
    let fixture: StaticServer;
    let welcome: StaticServer;
    let browser: BrowserContext;
    let profile: string;
    let page: Page;

    before(async () => {
      site = await makeSite();
      fixture = await startStatic({ root: site.root, listing: true });
      welcome = await startStatic({ root: WELCOME_SITE });
      profile = await mkdtemp(join(tmpdir(), 'porta-chromium-'));
      // A fresh profile per run: nothing cached from before, nothing left behind.
      browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        viewport: { width: 900, height: 700 },
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      page = browser.pages()[0] ?? (await browser.newPage());
    });

    after(async () => {
      await browser.close();
      await Promise.all([fixture.stop(), welcome.stop()]);
      await rm(profile, { recursive: true, force: true });
      await site.remove();
    });

    it('renders the fixture page with its stylesheet, script and image', async () => {
      const response = await page.goto(`${fixture.base}/`);
      assert.equal(response?.status(), 200);
      await page.waitForFunction(SCRIPT_RAN);
      const background = await page.evaluate<string>(
        'getComputedStyle(document.body).backgroundColor',
      );
      assert.equal(background, 'rgb(18, 52, 86)');
      const imageWidth = await page.evaluate<number>(
        "(i => i.complete ? i.naturalWidth : 0)(document.getElementById('logo'))",
      );
      assert.equal(imageWidth, 64);

      // The screenshot shows the CSS background and the red SVG square.
      const png = PNG.decode(await page.screenshot({ type: 'png' }));
      assert.deepEqual(png.pixel(890, 690), [18, 52, 86], 'background colour from style.css');
      assert.ok(png.count([255, 0, 0]) > 1000, 'red pixels from logo.svg');
    });

    it('reloads from cache with 304s (ETag revalidation) and still renders', async () => {
      const statuses: number[] = [];
      page.on('response', (r) => statuses.push(r.status()));
      await page.reload();
      await page.waitForFunction(SCRIPT_RAN);
      page.removeAllListeners('response');
      assert.ok(statuses.includes(304), `statuses ${statuses.join(',')}`);
    });

    it('renders a directory listing and follows its links', async () => {
      await page.goto(`${fixture.base}/docs/`);
      assert.match(await page.title(), /Index of \/docs\//);
      const names = await page.locator('tbody a').allTextContents();
      assert.deepEqual(names, ['../', 'sub/', 'file2.txt', 'file10.txt', 'readme.md']);
      await page.click('text=sub/');
      await page.waitForURL(`${fixture.base}/docs/sub/`);
      assert.deepEqual(await page.locator('tbody a').allTextContents(), ['../', 'nested.txt']);
    });

    it('renders the bundled welcome site', async () => {
      const response = await page.goto(`${welcome.base}/`);
      assert.equal(response?.status(), 200);
      assert.equal(await page.textContent('#title'), 'porta is running');
      assert.match((await page.textContent('#serve')) ?? '', /npx porta-server serve \.\/public/);
      const logo = await page.evaluate<number>(
        "(i => i.complete ? i.naturalWidth : 0)(document.querySelector('header img'))",
      );
      assert.ok(logo > 0, 'logo loaded');
      const card = await page.evaluate<string>(
        "getComputedStyle(document.querySelector('.card')).borderRadius",
      );
      assert.equal(card, '14px', 'style.css applied');
    });
  },
);
