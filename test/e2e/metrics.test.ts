// End to end: a known request mix across 2 workers (and one process), then /metrics parsed with
// a real exposition-format parser: exact counts for the whole server, kept across a reload.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { type ClientHttp2Session, connect as connectH2 } from 'node:http2';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { adminUrl } from '../support/admin-url.js';
import { request as h2Request } from '../support/h2-client.js';
import { type TestPki, createTestPki } from '../support/tls-fixtures.js';
import { type PortaProcess, freePort, spawnPorta } from '../support/porta-process.js';

const run = promisify(execFile);

const DOC = new URL('../../docs/observability.md', import.meta.url);

/** One request on its own connection (so the kernel spreads them over the workers). */
function send(url: string, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.statusCode ?? 0);
      });
    });
    req.on('error', reject);
    req.end(method === 'POST' ? 'payload' : undefined);
  });
}

/** Raw bytes on a new connection; resolves with what came back once the server closes. */
async function sendRaw(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let answer = '';
  socket.setEncoding('latin1').on('data', (d: string) => (answer += d));
  socket.on('error', () => undefined);
  socket.write(bytes);
  await once(socket, 'close');
  return answer;
}

/** A node:http2 session, over TLS (ALPN h2) when `ca` is given, else h2c; ready once SETTINGS came. */
function h2Session(base: string, ca?: string): Promise<ClientHttp2Session> {
  const session = connectH2(base, ca === undefined ? {} : { ca, servername: 'localhost' });
  session.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    session.once('remoteSettings', () => {
      resolve(session);
    });
    session.once('error', reject);
  });
}

/** Waits until /readyz says every worker serves. */
async function ready(admin: string, porta: PortaProcess): Promise<void> {
  const up = Date.now() + 30_000;
  while ((await fetch(`${admin}/readyz`)).status !== 200) {
    if (Date.now() > up) throw new Error(`never ready:\n${porta.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function scrape(admin: string): Promise<{ families: ParsedFamily[]; text: string }> {
  const response = await fetch(`${admin}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  // The parser throws on any line that is not valid exposition format.
  return { families: parsePrometheusTextFormat(text), text };
}

function value(
  families: readonly ParsedFamily[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const family = families.find((f) => f.name === name);
  const sample = family?.metrics.find((m) =>
    Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
  );
  return sample === undefined ? undefined : Number(sample.value ?? sample.count);
}

describe('GET /metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-metrics-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const workers of [2, 1]) {
    it(`counts a known mix exactly (${workers} worker(s)), across a reload`, async () => {
      const file = join(dir, `metrics-${workers}.yaml`);
      writeFileSync(
        file,
        `sites:
  - listen: ["127.0.0.1:${await freePort()}"]
    routes:
      - respond: { body: hello }
      - path: /api
        respond: { status: 201, body: created }
admin: 127.0.0.1:0
workers: ${workers}
log: { access: off }
`,
      );
      let porta: PortaProcess | null = null;
      try {
        porta = await spawnPorta(['run', '-c', file, '--pid-file', join(dir, `m${workers}.pid`)]);
        const admin = await adminUrl(porta);
        const url = porta.url;
        // Every worker up (and the signal handlers in place) before the mix and the SIGHUP.
        await ready(admin, porta);
        for (let i = 0; i < 10; i++) assert.equal(await send(url, 'GET', '/'), 200);
        for (let i = 0; i < 3; i++) assert.equal(await send(url, 'HEAD', '/'), 200);
        for (let i = 0; i < 4; i++) assert.equal(await send(url, 'POST', '/api'), 201);
        for (let i = 0; i < 2; i++) {
          assert.match(await sendRaw(url, 'NOT A REQUEST\r\n\r\n'), /^HTTP\/1\.1 400 /);
        }
        const longTarget = `GET /${'x'.repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`;
        assert.match(await sendRaw(url, longTarget), /^HTTP\/1\.1 414 /);

        // Counted before a reload, still counted after it (workers replaced one by one).
        porta.child.kill('SIGHUP');
        const deadline = Date.now() + 20_000;
        while (!/Configuration reloaded/.test(porta.stderr())) {
          if (Date.now() > deadline) throw new Error(`no reload:\n${porta.stderr()}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.equal(await send(url, 'GET', '/'), 200);
        // The loop delay is sampled every 20 ms: a worker the reload has just started may not
        // have its first sample yet. One scrape only, as a sampler made by it would read nothing.
        await new Promise((resolve) => setTimeout(resolve, 200));

        const { families: m, text } = await scrape(admin);
        const root = { site: '0', host: '*', route: '/' };
        const api = { site: '0', host: '*', route: '/api' };
        const requests = 'porta_http_requests_total';
        assert.equal(value(m, requests, { ...root, method: 'GET', status: '2xx' }), 11);
        assert.equal(value(m, requests, { ...root, method: 'HEAD', status: '2xx' }), 3);
        assert.equal(value(m, requests, { ...api, method: 'POST', status: '2xx' }), 4);
        assert.equal(value(m, requests, { route: '', status: '4xx' }), 3);
        const errors = 'porta_http_protocol_errors_total';
        assert.equal(value(m, errors, { status: '400' }), 2);
        assert.equal(value(m, errors, { status: '414' }), 1);
        const duration = m.find((f) => f.name === 'porta_http_request_duration_seconds');
        assert.equal(duration?.type, 'HISTOGRAM');
        // The parser folds labelled histograms into one sample: the route's lines are read here.
        const series = '{site="0",host="*",route="/"';
        assert.ok(text.includes(`porta_http_request_duration_seconds_count${series}} 14\n`), text);
        assert.ok(
          text.includes(`porta_http_request_duration_seconds_bucket${series},le="+Inf"} 14\n`),
        );
        assert.equal(value(m, 'porta_http_response_body_bytes_total', root), 11 * 5);
        assert.equal(value(m, 'porta_http_response_body_bytes_total', api), 4 * 7);
        // 18 requests with a response and 3 refused, each on its own connection.
        assert.equal(value(m, 'porta_http_connections_accepted_total'), 21);
        assert.equal(value(m, 'porta_reloads_total', { result: 'ok' }), 1);
        assert.equal(value(m, 'porta_config_generation'), 2);
        assert.equal(value(m, 'porta_workers_serving'), workers);
        // Per-process gauges: one series per process, labelled.
        // Every metric emitted is documented.
        const doc = readFileSync(DOC, 'utf8');
        for (const family of m) assert.ok(doc.includes(`\`${family.name}\``), family.name);
        const memory = m.find((f) => f.name === 'porta_process_resident_memory_bytes');
        const processes = (memory?.metrics ?? []).map((s) => s.labels?.worker).sort();
        assert.deepEqual(processes, workers === 1 ? ['main'] : ['1', '2', 'primary']);
        // The event-loop delay is sampled from the start where an admin listener may ask (made
        // by the first scrape it would read nothing yet): every process has a maximum already.
        const delays = m.find((f) => f.name === 'porta_event_loop_delay_seconds');
        const maxima = (delays?.metrics ?? []).filter((s) => s.labels?.quantile === '1');
        assert.deepEqual(maxima.map((s) => s.labels?.worker).sort(), processes);
        for (const sample of maxima) {
          assert.ok(Number(sample.value) > 0, `loop delay of ${String(sample.labels?.worker)}`);
        }
      } finally {
        await porta?.stop();
      }
    });
  }

  it('counts HTTP/2 over TLS and h2c like HTTP/1.1 (2 workers): requests, refused streams, connections', async () => {
    let pki: TestPki | null = null;
    let porta: PortaProcess | null = null;
    const sessions: ClientHttp2Session[] = [];
    try {
      pki = await createTestPki();
      const leaf = await pki.issue(['localhost', '127.0.0.1'], 'leaf');
      const tlsPort = await freePort();
      const h2cPort = await freePort();
      const file = join(dir, 'metrics-h2.yaml');
      writeFileSync(
        file,
        `sites:
  - listen: ["127.0.0.1:${tlsPort}"]
    tls: { cert: ${JSON.stringify(leaf.certPath)}, key: ${JSON.stringify(leaf.keyPath)} }
    routes:
      - respond: { body: hello }
      - path: /api
        respond: { status: 201, body: created }
  - listen: ["127.0.0.1:${h2cPort}"]
    http2: h2c
    routes:
      - respond: { body: hello }
admin: 127.0.0.1:0
workers: 2
limits: { max_header_size: 8k }
log: { access: off }
`,
      );
      porta = await spawnPorta(['run', '-c', file]);
      const admin = await adminUrl(porta);
      await ready(admin, porta);
      // Over TLS: one connection (ALPN h2), 5 GETs and 2 POSTs as streams on it.
      const tls = await h2Session(`https://127.0.0.1:${tlsPort}`, pki.caPem);
      sessions.push(tls);
      assert.equal(tls.alpnProtocol, 'h2');
      const tlsAnswers = await Promise.all([
        ...Array.from({ length: 5 }, () => h2Request(tls, '/')),
        ...Array.from({ length: 2 }, () =>
          h2Request(tls, '/api', { method: 'POST', body: Buffer.from('payload') }),
        ),
      ]);
      assert.deepEqual(
        tlsAnswers.map((a) => a.status),
        [200, 200, 200, 200, 200, 201, 201],
      );
      // h2c by prior knowledge: 3 GETs on one connection, then a header list over the limit
      // (refused with 431 before any route) on a second one.
      const h2c = await h2Session(`http://127.0.0.1:${h2cPort}`);
      sessions.push(h2c);
      for (let i = 0; i < 3; i++) assert.equal((await h2Request(h2c, '/')).status, 200);
      const big = await run('curl', [
        '-s',
        '--http2-prior-knowledge',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code} %{http_version}',
        '-H',
        `X-Big: ${'b'.repeat(10_000)}`,
        `http://127.0.0.1:${h2cPort}/`,
      ]);
      assert.equal(big.stdout, '431 2');

      const { families: m, text } = await scrape(admin);
      const requests = 'porta_http_requests_total';
      const tlsRoot = { site: '0', host: '*', route: '/' };
      const tlsApi = { site: '0', host: '*', route: '/api' };
      const h2cRoot = { site: '1', host: '*', route: '/' };
      assert.equal(value(m, requests, { ...tlsRoot, method: 'GET', status: '2xx' }), 5);
      assert.equal(value(m, requests, { ...tlsApi, method: 'POST', status: '2xx' }), 2);
      assert.equal(value(m, requests, { ...h2cRoot, method: 'GET', status: '2xx' }), 3);
      assert.equal(value(m, requests, { route: '', status: '4xx' }), 1);
      assert.equal(value(m, 'porta_http_protocol_errors_total', { status: '431' }), 1);
      assert.ok(
        text.includes(`porta_http_request_duration_seconds_count{site="0",host="*",route="/"} 5\n`),
        text,
      );
      assert.ok(
        text.includes(`porta_http_request_duration_seconds_count{site="1",host="*",route="/"} 3\n`),
      );
      assert.equal(value(m, 'porta_http_response_body_bytes_total', tlsRoot), 5 * 5);
      assert.equal(value(m, 'porta_http_response_body_bytes_total', tlsApi), 2 * 7);
      // One TLS connection; two h2c ones (the session, then curl's).
      const accepted = 'porta_http_connections_accepted_total';
      assert.equal(value(m, accepted, { listener: `127.0.0.1:${tlsPort}` }), 1);
      assert.equal(value(m, accepted, { listener: `127.0.0.1:${h2cPort}` }), 2);
    } finally {
      for (const session of sessions) session.destroy();
      await porta?.stop();
      pki?.remove();
    }
  });
});
