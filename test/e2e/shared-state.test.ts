// End to end, 2 workers and 1: rate limits, failed logins and upstream health hold for the server as a whole.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../../src/handlers/directives/password-hash.js';
import { type Answer, getOnNewConnection, waitFor, workerPids } from '../support/cluster-client.js';
import { type PortaProcess, spawnPorta } from '../support/porta-process.js';

/** A node:http upstream that can stop and start again on the same port. */
class Upstream {
  readonly #server: Server;
  port = 0;
  probes = 0;

  constructor() {
    this.#server = createServer((req, res) => {
      if (req.url === '/health') this.probes++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('up');
    });
  }

  async listen(): Promise<void> {
    this.#server.listen(this.port, '127.0.0.1');
    await once(this.#server, 'listening');
    this.port = (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    if (!this.#server.listening) return;
    this.#server.close();
    await once(this.#server, 'close');
  }
}

function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** Each worker answered at least `each` of these (always true with one process). */
function spread(answers: readonly Answer[], pids: readonly number[], each: number): boolean {
  return pids.every((pid) => answers.filter((a) => a.pid === pid).length >= each);
}

for (const workers of [2, 1]) {
  describe(`server-wide state with ${workers} worker(s)`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'porta-shared-'));
    const accessLog = join(dir, 'access.log');
    const passive = new Upstream();
    const checked = new Upstream();
    let porta: PortaProcess;
    let started = false;
    let pids: number[] = [];

    before(async () => {
      await passive.listen();
      await checked.listen();
      const hash = await hashPassword('open sesame', { n: 1024, r: 8, p: 1 });
      const config = {
        workers,
        log: { access_path: accessLog },
        sites: [
          {
            listen: ['127.0.0.1:0'],
            routes: [
              { path: '/limited', respond: { body: 'ok' }, rate_limit: { rate: '1r/m', burst: 2 } },
              {
                path: '/private',
                respond: { body: 'secret' },
                basic_auth: {
                  users: [{ user: 'alice', password_hash: hash }],
                  max_failures: 5,
                  lockout: '1m',
                },
              },
              {
                path: '/app',
                proxy: {
                  to: [`http://127.0.0.1:${passive.port}`],
                  retries: 0,
                  passive_health: { max_fails: 1, fail_timeout: '3s' },
                },
              },
              {
                path: '/checked',
                proxy: {
                  to: [`http://127.0.0.1:${checked.port}`],
                  health: { path: '/health', interval: '1s' },
                },
              },
            ],
          },
        ],
      };
      const file = join(dir, 'porta.yaml');
      writeFileSync(file, JSON.stringify(config)); // JSON is YAML
      porta = await spawnPorta(['run', '-c', file], 20_000);
      started = true;
      if (workers > 1) await waitFor(() => workerPids(porta.stderr()).length === workers);
      pids = workerPids(porta.stderr());
    });

    after(async () => {
      try {
        if (started) assert.equal(await porta.stop('SIGTERM'), 0);
      } finally {
        await passive.stop();
        await checked.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('rate_limit 1r/m burst 2 lets 2 requests through server-wide, whichever worker answers', async () => {
      const answers: Answer[] = [];
      // New connections until each worker has answered a few (20 at least, 200 at most).
      while (answers.length < 200 && (answers.length < 20 || !spread(answers, pids, 3))) {
        answers.push(await getOnNewConnection(porta.url, '/limited', pids));
      }
      assert.ok(spread(answers, pids, 3), `not spread over ${pids.length} workers`);
      const ok = answers.filter((a) => a.status === 200).length;
      const refused = answers.filter((a) => a.status === 429);
      assert.equal(ok, 2, `statuses: ${answers.map((a) => a.status).join(' ')}`);
      assert.equal(refused.length, answers.length - 2);
      // Seconds until the next token (one a minute).
      for (const answer of refused) assert.ok(Number(answer.headers['retry-after']) > 0);
    });

    it('refuses a client guessing passwords after max_failures, while another keeps logging in', async () => {
      const guesses: Answer[] = [];
      for (let round = 0; round < 14; round++) {
        guesses.push(
          await getOnNewConnection(porta.url, '/private', pids, {
            headers: basic('mallory', `guess ${round}`),
          }),
        );
        const honest = await getOnNewConnection(porta.url, '/private', pids, {
          headers: basic('alice', 'open sesame'),
          localAddress: '127.0.0.2',
        });
        assert.equal(honest.status, 200, `round ${round}: the honest client got ${honest.status}`);
      }
      const statuses = guesses.map((a) => a.status);
      const denied = statuses.filter((s) => s === 401).length;
      // 5 failures, plus at most a try in flight while the refusal reaches every worker.
      assert.ok(denied >= 5 && denied <= 6, `statuses: ${statuses.join(' ')}`);
      assert.deepEqual(statuses.slice(denied), Array<number>(14 - denied).fill(429));
      const retry = guesses.at(-1)?.headers['retry-after'];
      assert.ok(Number(retry) > 30, `Retry-After: ${String(retry)}`);
      const failed = porta
        .stderr()
        .split('\n')
        .filter((line) =>
          / WARNING Failed login for user "mallory" from 127\.0\.0\.1 on route \/private: unknown user$/.test(
            line,
          ),
        );
      assert.equal(failed.length, denied);
      assert.match(
        porta.stderr(),
        /WARNING Client 127\.0\.0\.1 refused for 60 s after 5 failed login\(s\)/,
      );
      assert.doesNotMatch(porta.stderr(), /Failed login for user "alice"/);
      // $remote_user in the access log: the user each request tried, passed or not.
      // Lines are written in batches: wait for both.
      const logged = (pattern: RegExp): boolean =>
        readFileSync(accessLog, 'utf8')
          .split('\n')
          .some((line) => pattern.test(line));
      await waitFor(
        () =>
          logged(/^127\.0\.0\.1 - mallory \[.*"GET \/private HTTP\/1\.1" 429 /) &&
          logged(/^127\.0\.0\.2 - alice \[.*"GET \/private HTTP\/1\.1" 200 /),
      );
    });

    it('a failing upstream is out in every worker at once, and back in every worker at once', async () => {
      const warm: Answer[] = [];
      while (warm.length < 100 && (warm.length < 4 || !spread(warm, pids, 2))) {
        warm.push(await getOnNewConnection(porta.url, '/app', pids));
      }
      assert.deepEqual(new Set(warm.map((a) => a.status)), new Set([200]));
      await passive.stop();
      const first = await getOnNewConnection(porta.url, '/app', pids);
      assert.equal(first.status, 502);
      await waitFor(() => /Upstream 127\.0\.0\.1:\d+ is down for 3 s/.test(porta.stderr()));
      // Every worker now knows: no other worker tries (and fails with 502) on its own.
      const down: Answer[] = [];
      while (down.length < 100 && (down.length < 6 || !spread(down, pids, 2))) {
        down.push(await getOnNewConnection(porta.url, '/app', pids));
      }
      assert.deepEqual(new Set(down.map((a) => a.status)), new Set([503]));
      assert.equal(porta.stderr().match(/is down for 3 s/g)?.length, 1);

      await passive.listen(); // the same port again
      // Back in every worker when the one time-out ends: 503s, then only 200s, never mixed.
      const back: Answer[] = [];
      const deadline = Date.now() + 20_000;
      for (;;) {
        back.push(await getOnNewConnection(porta.url, '/app', pids));
        const since = back.findIndex((a) => a.status === 200);
        const after200 = since < 0 ? [] : back.slice(since);
        if (after200.length >= 8 && spread(after200, pids, 2)) break;
        assert.ok(Date.now() < deadline, `statuses: ${back.map((a) => a.status).join(' ')}`);
      }
      const statuses = back.map((a) => a.status);
      const since = statuses.indexOf(200);
      assert.deepEqual(new Set(statuses.slice(0, since)), since === 0 ? new Set() : new Set([503]));
      assert.deepEqual(new Set(statuses.slice(since)), new Set([200]), statuses.join(' '));
    });

    it('active health checks run once per server: one probe per interval, whatever the worker count', async () => {
      await waitFor(() => checked.probes >= 1);
      const start = checked.probes;
      const windowMs = 5000;
      await new Promise((resolve) => setTimeout(resolve, windowMs));
      const probes = checked.probes - start;
      // interval 1s: about 5 (more only if two processes probed: about 10 with 2 workers).
      assert.ok(probes >= 2 && probes <= 7, `${probes} probes in ${windowMs} ms`);
      if (workers === 1) return;
      // The checking worker dies: another takes over (the primary chooses it).
      process.kill(pids[0] as number, 'SIGKILL');
      await waitFor(() => /died \(signal SIGKILL\)/.test(porta.stderr()));
      const after = checked.probes;
      await waitFor(() => checked.probes >= after + 3, 15_000);
    });
  });
}
