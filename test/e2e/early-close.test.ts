// End to end: each side closes or answers early at each phase of a proxied exchange; porta lives and serves the next request.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FaultRig, startFaultRig } from '../support/fault-porta.js';
import { RawClient } from '../support/raw-client.js';

/** Far below the proxy's 60 s header timeout and 2 s+ idle timeout: "at once". */
const RELEASE_MS = 1500;

function waitForCount(read: () => number, count: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 30_000;
    const tick = (): void => {
      if (read() >= count) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

function post(path: string, length: number, extra = ''): string {
  return `POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Length: ${length}\r\n${extra}\r\n`;
}

function curlStatus(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', ...args]);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('exit', () => {
      resolve(out);
    });
  });
}

for (const workers of [1, 2]) {
  describe(`early close and early answers (${workers} worker${workers === 1 ? '' : 's'})`, () => {
    let rig: FaultRig;
    before(async () => {
      rig = await startFaultRig(workers);
    });
    after(async () => {
      await rig.close();
    });

    /** Upstream request count for a mode, to know porta has passed the request on. */
    const seen = (mode: string): number => rig.upstream.requests.get(mode) ?? 0;
    const closes = (mode: string): number => rig.upstream.closes.get(mode) ?? 0;

    // ---- the client leaves ----

    it('client resets in the middle of the request head', async () => {
      const client = await RawClient.open(rig.port);
      client.write('GET /c/echo HTTP/1.1\r\nHost: t\r\nX-Half');
      await new Promise((resolve) => setTimeout(resolve, 100));
      client.reset();
      await rig.assertAlive();
    });

    it('client resets after the head, while porta waits for the upstream: the upstream connection closes at once', async () => {
      const before = closes('hang');
      const client = await RawClient.open(rig.port);
      client.write('GET /c/hang HTTP/1.1\r\nHost: t\r\n\r\n');
      await waitForCount(() => seen('hang'), 1, 'the request upstream');
      client.reset();
      await rig.waitUpstreamClosed('hang', before + 1, RELEASE_MS);
      await rig.assertAlive();
      assert.doesNotMatch(rig.porta.stderr(), /is down/);
    });

    for (const how of ['reset', 'half-close'] as const) {
      it(`client ${how}s in the middle of the body: upstream released at once, not counted as its failure`, async () => {
        const mode = `echo-${how}`;
        const client = await RawClient.open(rig.port);
        client.write(post(`/c/${mode}`, 1000) + 'a'.repeat(100));
        await waitForCount(() => seen(mode), 1, 'the request upstream');
        if (how === 'reset') client.reset();
        else client.end();
        await rig.waitUpstreamClosed(mode, 1, RELEASE_MS);
        if (how === 'half-close') await client.waitEnded();
        client.destroy();
        await rig.assertAlive();
        assert.doesNotMatch(rig.porta.stderr(), /is down|failed for POST/);
      });
    }

    it('a client pausing its upload longer than the upstream idle timeout is not an upstream failure', async () => {
      const client = await RawClient.open(rig.port);
      client.write(post('/c/echo-slow', 1000) + 'a'.repeat(100));
      await waitForCount(() => seen('echo-slow'), 1, 'the request upstream');
      await new Promise((resolve) => setTimeout(resolve, 3000)); // the /c/ upstream idle is 2 s
      client.write('a'.repeat(900));
      await client.waitFor('got 1000');
      assert.match(client.text, /^HTTP\/1\.1 200 /);
      client.destroy();
      assert.doesNotMatch(rig.porta.stderr(), /is down|failed for POST|idle-timeout/);
      await rig.assertAlive();
    });

    it('client resets while the response streams: the upstream connection closes', async () => {
      const client = await RawClient.open(rig.port);
      client.write('GET /c/stream HTTP/1.1\r\nHost: t\r\n\r\n');
      await client.until(() => client.received > 40_000, 'some of the streamed body');
      client.reset();
      await rig.waitUpstreamClosed('stream', 1, 5000);
      await rig.assertAlive();
    });

    it('client resets during a WebSocket tunnel', async () => {
      const client = await RawClient.open(rig.port);
      client.write(
        'GET /c/ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      );
      await client.waitFor('\r\n\r\n');
      assert.match(client.text, /^HTTP\/1\.1 101 /);
      client.write('ping-through');
      await client.waitFor('ping-through');
      client.reset();
      await rig.waitUpstreamClosed('ws', 1, 5000);
      await rig.assertAlive();
    });

    // ---- the upstream fails ----

    for (const mode of ['close-before-head', 'close-mid-head', 'close-mid-small-body']) {
      it(`upstream ${mode.replaceAll('-', ' ')}: 502, then the next request is served`, async () => {
        const client = await RawClient.open(rig.port);
        client.write(`GET /u/${mode} HTTP/1.1\r\nHost: t\r\n\r\n`);
        await client.waitFor('\r\n\r\n');
        assert.match(client.text, /^HTTP\/1\.1 502 /);
        client.destroy();
        await rig.assertAlive();
      });
    }

    for (const mode of ['close-mid-body', 'close-mid-chunk']) {
      it(`upstream ${mode.replaceAll('-', ' ')}: the client's response is cut, not completed`, async () => {
        const client = await RawClient.open(rig.port);
        client.write(`GET /u/${mode} HTTP/1.1\r\nHost: t\r\n\r\n`);
        await client.waitEnded();
        assert.match(client.text, /^HTTP\/1\.1 200 /);
        // Neither a whole Content-Length body nor a last chunk: a truncated body cannot pass as whole.
        assert.ok(!client.text.endsWith('0\r\n\r\n'), client.text);
        assert.ok(client.text.length < 1000, client.text);
        client.destroy();
        await rig.assertAlive();
      });
    }

    it('upstream resets during a WebSocket tunnel: the client connection closes', async () => {
      const client = await RawClient.open(rig.port);
      client.write(
        'GET /u/ws-close HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      );
      await client.waitEnded();
      assert.match(client.text, /^HTTP\/1\.1 101 [^]*\r\n\r\nhi$/);
      client.destroy();
      await rig.assertAlive();
    });

    // ---- the upstream answers before the body is read ----

    for (const mode of ['early', 'early-keep']) {
      it(`upstream answers (${mode}) before the body arrives: 405, the rest is drained, the connection serves on`, async () => {
        const client = await RawClient.open(rig.port);
        client.write(post(`/u/${mode}`, 1000) + 'a'.repeat(100));
        await client.waitFor('no\n');
        assert.match(client.text, /^HTTP\/1\.1 405 /);
        // The rest of that body, then a second request on the same connection.
        client.write('a'.repeat(900));
        client.write(post('/u/echo', 3) + 'abc');
        await client.waitFor('got 3');
        client.destroy();
        await rig.assertAlive();
      });
    }

    it('upstream answers early to a huge declared body: 405, then the connection closes', async () => {
      const client = await RawClient.open(rig.port);
      client.write(post('/u/early', 50 * 1024 * 1024) + 'a'.repeat(1000));
      await client.waitFor('no\n');
      assert.match(client.text, /^HTTP\/1\.1 405 /);
      await client.waitEnded();
      client.destroy();
      await rig.assertAlive();
    });

    it('upstream answers early to a chunked body: 405, the rest is drained, the connection serves on', async () => {
      const client = await RawClient.open(rig.port);
      client.write(
        'POST /u/early HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n' +
          'a'.repeat(50),
      );
      await client.waitFor('no\n');
      assert.match(client.text, /^HTTP\/1\.1 405 /);
      client.write(`${'a'.repeat(50)}\r\n0\r\n\r\n`);
      client.write(post('/u/echo', 3) + 'abc');
      await client.waitFor('got 3');
      client.destroy();
      await rig.assertAlive();
    });

    it('curl uploads 900 KiB with Expect: 100-continue to an upstream that answers at once, repeatedly', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'porta-upload-'));
      try {
        const file = join(dir, '900k.bin');
        writeFileSync(file, Buffer.alloc(900 * 1024, 0x62));
        for (let i = 0; i < 6; i++) {
          const status = await curlStatus([
            '--max-time',
            '20',
            '-H',
            'Expect: 100-continue',
            '--data-binary',
            `@${file}`,
            `http://127.0.0.1:${rig.port}/u/early`,
          ]);
          assert.equal(status, '405', `try ${i}: ${rig.porta.stderr()}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      await rig.assertAlive();
    });
  });
}
