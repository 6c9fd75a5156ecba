// End to end: upstream and forward metrics. A known mix of proxied requests (one upstream down,
// others that reset, answer garbage or never answer, one healthy) and TCP and UDP forward
// sessions, across 2 workers and in one process; /metrics parsed with a real exposition parser.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type Socket as UdpSocket, createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server as HttpServer, createServer as createHttpServer, request } from 'node:http';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { adminUrl } from '../support/admin-url.js';
import { type PortaProcess, freePort, spawnPorta } from '../support/porta-process.js';

/** One GET on its own connection (so the kernel spreads them over the workers). */
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.statusCode ?? 0);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function listening(server: Server | HttpServer): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

/** A raw upstream: `onHead` runs once a request head is in (reset it, answer garbage, or hold it). */
function rawUpstream(onHead: (socket: Socket) => void): Server {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let head = '';
    socket.setEncoding('latin1').on('data', (text: string) => {
      const before = head;
      head += text;
      if (!before.includes('\r\n\r\n') && head.includes('\r\n\r\n')) onHead(socket);
    });
  });
  server.on('close', () => {
    for (const socket of sockets) socket.destroy();
  });
  return server;
}

async function scrape(admin: string): Promise<ParsedFamily[]> {
  const response = await fetch(`${admin}/metrics`);
  assert.equal(response.status, 200);
  return parsePrometheusTextFormat(await response.text());
}

function value(
  families: readonly ParsedFamily[],
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const family = families.find((f) => f.name === name);
  const sample = family?.metrics.find((m) =>
    Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
  );
  return sample === undefined ? undefined : Number(sample.value);
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A TCP session through the forward: sends `text`, waits for its echo; left open. */
async function tcpSession(port: number, text: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  let echoed = '';
  socket.setEncoding('latin1').write(text);
  while (echoed.length < text.length) {
    echoed += ((await once(socket, 'data')) as [string])[0];
  }
  assert.equal(echoed, text);
  return socket;
}

/** A UDP client (one session): sends each datagram and waits for its echo. */
async function udpSession(port: number, datagrams: readonly string[]): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  for (const datagram of datagrams) {
    socket.send(datagram, port, '127.0.0.1');
    const [reply] = (await once(socket, 'message')) as [Buffer];
    assert.equal(reply.toString(), datagram);
  }
  return socket;
}

describe('upstream and forward metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-upmetrics-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const workers of [2, 1]) {
    it(`counts proxied attempts, failures by kind, retries, health, in-flight and forward sessions exactly (${workers} worker(s))`, async () => {
      const held: (() => void)[] = [];
      const good = createHttpServer((req, res) => {
        req.resume();
        if (req.url?.endsWith('/hold') === true) held.push(() => res.end('late\n'));
        else res.end('ok\n');
      });
      // Longer than the test: a pooled connection never goes stale under it (no "stale" retries).
      good.keepAliveTimeout = 120_000;
      const reset = rawUpstream((socket) => socket.resetAndDestroy());
      const garbage = rawUpstream((socket) => socket.end('NOT HTTP AT ALL\r\n\r\n'));
      const silent = rawUpstream(() => undefined);
      const echo = createServer((socket) => {
        socket.on('error', () => undefined);
        socket.pipe(socket);
      });
      const udpEcho = createSocket('udp4');
      const clients: Socket[] = [];
      const udpClients: UdpSocket[] = [];
      let porta: PortaProcess | null = null;
      try {
        udpEcho.on('message', (message, from) => {
          udpEcho.send(message, from.port, from.address);
        });
        await new Promise<void>((resolve) => udpEcho.bind(0, '127.0.0.1', resolve));
        const udpTarget = udpEcho.address().port;
        const [goodPort, resetPort, garbagePort, silentPort, echoPort] = await Promise.all(
          [good, reset, garbage, silent, echo].map((s) => listening(s)),
        );
        const downPort = await freePort(); // nothing listens: connections are refused
        const [sitePort, tcpPort, udpPort] = [await freePort(), await freePort(), await freePort()];
        const up = (port: number | undefined): string => `"http://127.0.0.1:${port}"`;
        const file = join(dir, `upstreams-${workers}.yaml`);
        writeFileSync(
          file,
          `sites:
  - listen: ["127.0.0.1:${sitePort}"]
    routes:
      - path: /flaky
        proxy:
          to: [${up(downPort)}, ${up(goodPort)}]
          balance: first
          retries: 1
          passive_health: { max_fails: 0 }
      - path: /broken
        proxy:
          to: [${up(resetPort)}, ${up(garbagePort)}]
          balance: first
          retries: 1
          passive_health: { max_fails: 0 }
      - path: /slow
        proxy:
          to: [${up(silentPort)}]
          retries: 0
          passive_health: { max_fails: 0 }
          timeouts: { header: 1s }
      - path: /checked
        proxy:
          to: [${up(downPort)}, ${up(goodPort)}]
          balance: first
          health: { path: /, interval: 1s, timeout: 1s }
streams:
  - listen: ["127.0.0.1:${tcpPort}"]
    forward: { to: ["127.0.0.1:${echoPort}"] }
  - listen: ["127.0.0.1:${udpPort}"]
    forward: { to: ["127.0.0.1:${udpTarget}"], protocol: udp }
admin: 127.0.0.1:0
workers: ${workers}
log: { access: off }
`,
        );
        porta = await spawnPorta(['run', '-c', file]);
        const admin = await adminUrl(porta);
        const site = `http://127.0.0.1:${sitePort}`;
        await waitFor('every worker ready', async () => {
          return (await fetch(`${admin}/readyz`)).status === 200;
        });
        const route = (path: string, port: number | undefined): Record<string, string> => ({
          site: '0',
          host: '*',
          route: path,
          address: `127.0.0.1:${port}`,
        });
        const healthy = 'porta_upstream_healthy';
        // The health checks take the down upstream of /checked out, in every process.
        await waitFor('the down upstream seen down', async () => {
          return value(await scrape(admin), healthy, route('/checked', downPort)) === 0;
        });

        for (let i = 0; i < 6; i++) assert.equal(await get(`${site}/flaky`), 200);
        for (let i = 0; i < 2; i++) assert.equal(await get(`${site}/broken`), 502);
        assert.equal(await get(`${site}/slow`), 504);
        for (let i = 0; i < 3; i++) assert.equal(await get(`${site}/checked`), 200);
        // One request held by the upstream: in flight while we scrape.
        const holding = get(`${site}/checked/hold`);
        await waitFor('the held request at the upstream', () => Promise.resolve(held.length > 0));

        // Forwards: 3 TCP sessions closed and 1 left open; 2 UDP sessions of 2 datagrams.
        for (let i = 0; i < 3; i++) {
          const socket = await tcpSession(tcpPort, 'hello');
          socket.end();
          await once(socket, 'close');
        }
        clients.push(await tcpSession(tcpPort, 'still here'));
        udpClients.push(await udpSession(udpPort, ['ping', 'pong!']));
        udpClients.push(await udpSession(udpPort, ['abc', 'defg']));
        const tcp = { listener: `127.0.0.1:${tcpPort}`, protocol: 'tcp' };
        const udp = { listener: `127.0.0.1:${udpPort}`, protocol: 'udp' };
        // The closed sessions' server side closes a moment after the client's.
        await waitFor('closed TCP sessions counted out', async () => {
          return value(await scrape(admin), 'porta_forward_sessions_open', tcp) === 1;
        });

        const m = await scrape(admin);
        const requests = 'porta_upstream_requests_total';
        const failures = 'porta_upstream_failures_total';
        const retries = 'porta_upstream_retries_total';
        const inFlight = 'porta_upstream_in_flight';
        // /flaky: every request fails to connect to the first upstream, then goes to the second.
        const flakyDown = route('/flaky', downPort);
        const flakyGood = route('/flaky', goodPort);
        assert.equal(value(m, requests, flakyDown), 6);
        assert.equal(value(m, failures, { ...flakyDown, kind: 'connect' }), 6);
        assert.equal(value(m, retries, flakyDown), 6);
        assert.equal(value(m, requests, flakyGood), 6);
        assert.equal(value(m, failures, flakyGood), undefined);
        assert.equal(value(m, retries, flakyGood), 0);
        // Passive health off and no probes: the balancer still sees it up.
        assert.equal(value(m, healthy, flakyDown), 1);
        assert.equal(
          value(m, 'porta_upstream_requests_total', {
            upstream: `127.0.0.1:${downPort}`,
            route: '/flaky',
          }),
          6,
        );
        // /broken: a reset is retried; a garbage answer had begun, so it is not.
        const broken = route('/broken', resetPort);
        const bad = route('/broken', garbagePort);
        assert.equal(value(m, requests, broken), 2);
        assert.equal(value(m, failures, { ...broken, kind: 'reset' }), 2);
        assert.equal(value(m, retries, broken), 2);
        assert.equal(value(m, requests, bad), 2);
        assert.equal(value(m, failures, { ...bad, kind: 'bad_response' }), 2);
        assert.equal(value(m, retries, bad), 0);
        // /slow: no head within 1 s.
        const slow = route('/slow', silentPort);
        assert.equal(value(m, requests, slow), 1);
        assert.equal(value(m, failures, { ...slow, kind: 'header_timeout' }), 1);
        // /checked: the probes keep the down one out; 3 answered and 1 held by the good one.
        const checkedDown = route('/checked', downPort);
        const checkedGood = route('/checked', goodPort);
        assert.equal(value(m, requests, checkedDown), 0);
        assert.equal(value(m, healthy, checkedDown), 0);
        assert.equal(value(m, healthy, checkedGood), 1);
        assert.equal(value(m, requests, checkedGood), 4);
        assert.equal(value(m, inFlight, checkedGood), 1);
        assert.equal(value(m, inFlight, flakyGood), 0);
        // Forwards: sessions and bytes each way (the open TCP session's bytes included).
        assert.equal(value(m, 'porta_forward_sessions_total', tcp), 4);
        assert.equal(value(m, 'porta_forward_sessions_open', tcp), 1);
        assert.equal(value(m, 'porta_forward_received_bytes_total', tcp), 3 * 5 + 10);
        assert.equal(value(m, 'porta_forward_sent_bytes_total', tcp), 3 * 5 + 10);
        assert.equal(value(m, 'porta_forward_sessions_total', udp), 2);
        assert.equal(value(m, 'porta_forward_sessions_open', udp), 2);
        assert.equal(value(m, 'porta_forward_received_bytes_total', udp), 4 + 5 + 3 + 4);
        assert.equal(value(m, 'porta_forward_sent_bytes_total', udp), 4 + 5 + 3 + 4);

        // The status page's JSON carries the same upstream states.
        const status = (await (await fetch(`${admin}/status.json`)).json()) as {
          upstreams: { route: string; address: string; healthy: number; inFlight: number }[];
        };
        const states = status.upstreams
          .filter((u) => u.route === 'site 0 * /checked')
          .map((u) => [u.address, u.healthy, u.inFlight]);
        assert.deepEqual(states, [
          [`127.0.0.1:${downPort}`, 0, 0],
          [`127.0.0.1:${goodPort}`, 1, 1],
        ]);

        for (const answer of held.splice(0)) answer();
        assert.equal(await holding, 200);
        await waitFor('nothing in flight', async () => {
          return value(await scrape(admin), inFlight, checkedGood) === 0;
        });
      } finally {
        for (const answer of held.splice(0)) answer();
        for (const socket of clients) socket.destroy();
        for (const socket of udpClients) socket.close();
        await porta?.stop();
        for (const server of [good, reset, garbage, silent, echo]) {
          server.close();
          if ('closeAllConnections' in server) server.closeAllConnections();
        }
        udpEcho.close();
      }
    });
  }
});
