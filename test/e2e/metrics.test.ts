// End to end: a known request mix across 2 workers (and one process), then /metrics parsed with
// a real exposition-format parser: exact counts for the whole server, kept across a reload.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { adminUrl } from '../support/admin-url.js';
import { type PortaProcess, freePort, spawnPorta } from '../support/porta-process.js';

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
        const up = Date.now() + 30_000;
        while ((await fetch(`${admin}/readyz`)).status !== 200) {
          if (Date.now() > up) throw new Error(`never ready:\n${porta.stderr()}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
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
      } finally {
        await porta?.stop();
      }
    });
  }
});
