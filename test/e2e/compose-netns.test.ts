// End to end: the topology examples/compose claims, built of network namespaces instead of
// containers. An outside host (the docker host's side) reaches only the front; the front runs
// porta with the example's porta.yaml (2 workers) and finds app1 and app2 by name through its
// hosts file, on an internal bridge it does not route for. Skipped where `ip netns` is not allowed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NetnsLab, netnsUnavailable } from '../support/netns-lab.js';
import { type PortaProcess, spawnPorta } from '../support/porta-process.js';

// Documentation ranges (RFC 5737): addresses that exist only inside this test's namespaces.
const EDGE = { outside: '192.0.2.1', front: '192.0.2.2' };
const INTERNAL = { front: '198.51.100.2', app1: '198.51.100.3', app2: '198.51.100.4' };
const FRONT_URL = `http://${EDGE.front}:8080`;

const unavailable = await netnsUnavailable();

/** The example's front config, as is but for where the welcome site lives on this machine. */
function frontConfig(): string {
  const example = readFileSync(resolve('examples/compose/porta.yaml'), 'utf8');
  assert.match(example, /http:\/\/app1:3000, http:\/\/app2:3000/);
  return example.replace('/app/site', resolve('site'));
}

describe(
  'compose topology in network namespaces',
  { skip: unavailable ?? false, timeout: 180_000 },
  () => {
    const lab = new NetnsLab();
    const dir = mkdtempSync(join(tmpdir(), 'porta-netns-'));
    const apps = new Map<string, PortaProcess>();
    let front: PortaProcess | undefined;

    const startApp = async (name: 'app1' | 'app2'): Promise<void> => {
      // The compose service's command line, inside its own host.
      const app = await spawnPorta(['echo', '--port', '3000', '--name', name], 20_000, {
        prefix: lab.exec(name),
      });
      apps.set(name, app);
    };

    /** curl inside a host, 10 s at most. */
    const curl = (host: string, ...args: string[]) =>
      lab.run(host, ['curl', '-sS', '--max-time', '10', ...args]);

    /** Requests from the outside host in one curl run: "status served-by" per URL. */
    const fromOutside = async (urls: readonly string[]): Promise<string[]> => {
      const argv = ['-w', '%{http_code} %header{x-served-by}\n'];
      for (const url of urls) argv.push('-o', '/dev/null', url);
      const { code, stdout, stderr } = await curl('outside', ...argv);
      assert.equal(code, 0, `curl from outside failed: ${stderr}`);
      return stdout.trim().split('\n');
    };

    const waitForLog = async (pattern: RegExp, timeoutMs = 60_000): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      while (front !== undefined && !pattern.test(front.stderr())) {
        if (Date.now() > deadline) {
          assert.fail(`no ${String(pattern)} in the front's log:\n${front.stderr()}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    before(async () => {
      await lab.addHost('outside');
      await lab.addHost('front', { app1: INTERNAL.app1, app2: INTERNAL.app2 });
      await lab.addHost('internal'); // the internal network's switch
      await lab.addHost('app1');
      await lab.addHost('app2');
      // The edge network: the outside host and the front, where the published port lives.
      await lab.link(
        { host: 'outside', ifname: 'eth0', cidr: `${EDGE.outside}/24` },
        { host: 'front', ifname: 'eth0', cidr: `${EDGE.front}/24` },
      );
      // The internal network: one bridge, the front and both apps on it.
      await lab.link(
        { host: 'front', ifname: 'eth1', cidr: `${INTERNAL.front}/24` },
        { host: 'internal', ifname: 'front' },
      );
      for (const app of ['app1', 'app2'] as const) {
        await lab.link(
          { host: app, ifname: 'eth0', cidr: `${INTERNAL[app]}/24` },
          { host: 'internal', ifname: app },
        );
      }
      await lab.bridge('internal', 'br0', ['front', 'app1', 'app2']);
      // The front is no router; the outside host even knows a route to the apps through it,
      // so what stops it is the topology, not a missing route.
      await lab.sysctl('front', 'net/ipv4/ip_forward', '0');
      await lab.ip('outside', 'route', 'add', '198.51.100.0/24', 'via', EDGE.front);

      await startApp('app1');
      await startApp('app2');
      const file = join(dir, 'porta.yaml');
      writeFileSync(file, frontConfig());
      front = await spawnPorta(['run', '-c', file], 20_000, { prefix: lab.exec('front') });
    });

    after(async () => {
      try {
        await Promise.all(
          [...apps.values(), ...(front === undefined ? [] : [front])].map((p) => p.stop()),
        );
      } finally {
        lab.destroy();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the outside reaches the front: the welcome site on the published port', async () => {
      const { code, stdout } = await curl('outside', `${FRONT_URL}/`);
      assert.equal(code, 0);
      assert.match(stdout, /porta/i);
    });

    it('the front reaches both apps by name (the hosts file), from its internal address', async () => {
      const lines = await fromOutside(
        Array.from({ length: 10 }, (_, i) => `${FRONT_URL}/api/hello?n=${i}`),
      );
      assert.equal(lines.length, 10);
      for (const line of lines) assert.match(line, /^200 app[12]$/);
      assert.deepEqual([...new Set(lines)].sort(), ['200 app1', '200 app2']);
      // What the app saw: the front's internal address as the peer, the outside host forwarded.
      const { code, stdout } = await curl(
        'outside',
        '-H',
        'Accept: application/json',
        `${FRONT_URL}/api/who`,
      );
      assert.equal(code, 0);
      const echoed = JSON.parse(stdout) as {
        client: { address: string };
        headers: [string, string][];
        served_by: string;
      };
      // The apps listen on every interface, IPv6 too: the peer may be shown IPv4-mapped.
      assert.equal(echoed.client.address.replace(/^::ffff:/, ''), INTERNAL.front, stdout);
      const forwardedFor = echoed.headers.find(
        ([name]) => name.toLowerCase() === 'x-forwarded-for',
      );
      assert.equal(forwardedFor?.[1], EDGE.outside, stdout);
    });

    it('only the front is reachable from outside: the apps are not, even with a route', async () => {
      // A positive control: from the front, app1 answers on that address.
      const inside = await curl('front', `http://${INTERNAL.app1}:3000/`);
      assert.equal(inside.code, 0, inside.stderr);
      const outside = await curl(
        'outside',
        '--connect-timeout',
        '2',
        `http://${INTERNAL.app1}:3000/`,
      );
      // 28: the connection timed out (the front drops what it will not forward); 7: refused.
      assert.ok([7, 28].includes(outside.code), `curl exit ${outside.code}: ${outside.stderr}`);
    });

    it('an app that goes away is taken out of rotation by health checks, and back when it returns', async () => {
      const app2 = apps.get('app2');
      assert.ok(app2 !== undefined);
      assert.equal(await app2.stop(), 0);
      await waitForLog(
        new RegExp(
          `Upstream app2:3000 \\(${INTERNAL.app2.replaceAll('.', '\\.')}:3000\\) is down: health check`,
        ),
      );
      const lines = await fromOutside(
        Array.from({ length: 10 }, (_, i) => `${FRONT_URL}/api/after-down?n=${i}`),
      );
      assert.deepEqual(new Set(lines), new Set(['200 app1']));

      await startApp('app2');
      await waitForLog(/Upstream app2:3000 \(\S+\) is up again: health check/);
      const back = await fromOutside(
        Array.from({ length: 10 }, (_, i) => `${FRONT_URL}/api/after-up?n=${i}`),
      );
      assert.deepEqual([...new Set(back)].sort(), ['200 app1', '200 app2']);
    });
  },
);
