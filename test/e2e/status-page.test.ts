// End to end: the admin status page in headless Chromium, on a phone-sized screen, with 2
// workers under a trickle of requests: its charts gain points and show the traffic, its table
// the upstreams' states (one up, one taken out by health checks); a screenshot goes to test-results/.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type BrowserContext, chromium } from 'playwright-core';
import { adminUrl } from '../support/admin-url.js';
import { type PortaProcess, freePort, spawnPorta } from '../support/porta-process.js';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = new URL('../../test-results/', import.meta.url).pathname;

describe(
  'admin status page',
  { skip: !existsSync(CHROMIUM) && 'chromium is not installed (scripts/install-system-deps.sh)' },
  () => {
    it('draws live charts of the traffic, readable on a phone', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'porta-status-'));
      const file = join(dir, 'porta.yaml');
      const app: Server = createServer((req, res) => {
        req.resume();
        res.end('from the app\n');
      });
      let porta: PortaProcess | null = null;
      let browser: BrowserContext | null = null;
      let traffic: NodeJS.Timeout | null = null;
      try {
        app.listen(0, '127.0.0.1');
        await once(app, 'listening');
        const appPort = (app.address() as { port: number }).port;
        const downPort = await freePort();
        await writeFile(
          file,
          `sites:
  - listen: ["127.0.0.1:0"]
    routes:
      - respond: { body: hello }
      - path: /missing
        respond: { status: 404, body: none }
      - path: /api
        proxy:
          to: ["http://127.0.0.1:${appPort}", "http://127.0.0.1:${downPort}"]
          health: { path: /, interval: 1s }
admin: 127.0.0.1:0
workers: 2
log: { access: off }
`,
        );
        porta = await spawnPorta(['run', '-c', file, '--pid-file', join(dir, 'pid')]);
        const admin = await adminUrl(porta);
        const site = porta.url;
        // A bounded trickle: 4 requests every 100 ms, at most 60 s.
        let sent = 0;
        traffic = setInterval(() => {
          if (sent > 2400) return;
          for (const path of ['/', '/', '/api', '/missing']) {
            sent++;
            fetch(`${site}${path}`)
              .then((r) => r.arrayBuffer())
              .catch(() => undefined);
          }
        }, 100);
        browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
          executablePath: CHROMIUM,
          // A phone: 390 x 844 CSS pixels.
          viewport: { width: 390, height: 844 },
          deviceScaleFactor: 2,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
        });
        const page = browser.pages()[0] ?? (await browser.newPage());
        const response = await page.goto(`${admin}/`);
        assert.equal(response?.status(), 200);
        assert.match(response.headers()['content-type'] ?? '', /^text\/html/);
        // The charts update: points accumulate, one per poll.
        await page.waitForFunction('Number(document.body.dataset.points ?? 0) >= 5', null, {
          timeout: 30_000,
        });
        assert.equal(await page.textContent('#state'), 'ready');
        const rate = await page.textContent('#rps-now');
        assert.match(rate ?? '', /^[\d.]+ req\/s$/);
        assert.ok(Number.parseFloat(rate ?? '0') > 0, `requests per second shown: ${rate}`);
        assert.match((await page.textContent('#status-now')) ?? '', /2xx [1-9][\d.]* .*4xx [1-9]/);
        const processes = await page.$$eval('#processes tr', (rows) => rows.length);
        assert.equal(processes, 4); // the header, the primary and 2 workers
        // The upstreams: the app up and taking requests, the other down (its probes fail).
        const state = (port: number): string =>
          `#upstreams tr[data-address="127.0.0.1:${port}"] td:nth-child(2)`;
        await page.waitForFunction(
          `document.querySelector('${state(downPort)}')?.textContent === 'down'`,
          null,
          { timeout: 30_000 },
        );
        assert.equal(await page.textContent(state(appPort)), 'up');
        const appRate = await page.textContent(
          `#upstreams tr[data-address="127.0.0.1:${appPort}"] td:nth-child(4)`,
        );
        assert.ok(Number.parseFloat(appRate ?? '0') > 0, `app requests per second: ${appRate}`);
        assert.match((await page.textContent('#upstreams-now')) ?? '', /^2 upstream\(s\), 1 down$/);
        // Nothing wider than the phone's screen.
        const overflow = await page.evaluate<number>(
          'document.documentElement.scrollWidth - window.innerWidth',
        );
        assert.ok(overflow <= 0, `page wider than the screen by ${overflow}px`);
        // The canvas has been drawn on (not blank).
        const inked = await page.evaluate<number>(`(() => {
          const canvas = document.getElementById('rps');
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let n = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
          return n;
        })()`);
        assert.ok(inked > 100, `chart pixels drawn: ${inked}`);
        mkdirSync(RESULTS, { recursive: true });
        await page.screenshot({ path: join(RESULTS, 'status-page.png'), fullPage: true });
      } finally {
        if (traffic !== null) clearInterval(traffic);
        await browser?.close();
        await porta?.stop();
        app.close();
        app.closeAllConnections();
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
