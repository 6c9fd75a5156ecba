// End to end: what the Dockerfile's final stage says, run as a container would run it but
// without an engine: its ENV, ENTRYPOINT + CMD as PID 1 of a new PID namespace inside a new
// network namespace, its HEALTHCHECK command run inside, its STOPSIGNAL sent from outside.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { imageContract } from '../support/dockerfile-rules.js';
import { NetnsLab, netnsUnavailable } from '../support/netns-lab.js';
import { type PortaProcess, spawnPorta } from '../support/porta-process.js';

const unavailable = await netnsUnavailable();
const contract = imageContract(readFileSync(resolve('Dockerfile'), 'utf8'));

/** The PID (in our namespace) of the process `unshare --fork` started: PID 1 in its own. */
function containerInit(unshare: number): number {
  const children = readFileSync(`/proc/${unshare}/task/${unshare}/children`, 'utf8').trim();
  const pid = Number(children.split(/\s+/)[0]);
  assert.ok(Number.isInteger(pid) && pid > 0, `no child of unshare ${unshare}`);
  return pid;
}

describe(
  'the image as PID 1, without an engine',
  { skip: unavailable ?? false, timeout: 120_000 },
  () => {
    const lab = new NetnsLab();
    const dir = mkdtempSync(join(tmpdir(), 'porta-pid1-'));

    before(async () => {
      await lab.addHost('box');
    });
    after(() => {
      lab.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Runs argv as the image would: its ENV, PID 1 of a new PID namespace, in the box. */
    const startContainer = (argv: readonly string[]): Promise<PortaProcess> =>
      spawnPorta(argv, 20_000, {
        env: { ...process.env, ...contract.env },
        // --kill-child: should the test die, PID 1 (and so the namespace) goes with unshare.
        prefix: [...lab.exec('box'), 'unshare', '--pid', '--fork', '--kill-child'],
      });

    /** The image's HEALTHCHECK command, run inside the box with the image's ENV: its exit code. */
    const healthcheck = async (): Promise<number> => {
      const env = Object.entries(contract.env).map(([key, value]) => `${key}=${value}`);
      const [program, ...args] = contract.healthcheck;
      assert.equal(program, 'node');
      return (await lab.run('box', ['env', ...env, process.execPath, ...args])).code;
    };

    const statusInside = async (url: string): Promise<string> =>
      (
        await lab.run('box', [
          'curl',
          '-sS',
          '--max-time',
          '10',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          url,
        ])
      ).stdout;

    /** Serves, passes the HEALTHCHECK, then stops on STOPSIGNAL sent to PID 1 from outside. */
    const lifeOf = async (argv: readonly string[], sitePort: number): Promise<void> => {
      const porta = await startContainer(argv);
      const unshare = porta.child.pid as number;
      try {
        assert.match(porta.stderr(), /Starting porta \S+ \(node \S+, pid 1, /);
        assert.equal(await statusInside(`http://127.0.0.1:${sitePort}/`), '200');
        const adminBase = `http://${contract.env.PORTA_ADMIN ?? ''}`;
        // Ready once every worker serves: ask as a readiness probe would, until it says so.
        const deadline = Date.now() + 20_000;
        while ((await statusInside(`${adminBase}/readyz`)) !== '200') {
          assert.ok(Date.now() < deadline, `never ready:\n${porta.stderr()}`);
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.equal(await healthcheck(), 0, 'HEALTHCHECK passes while serving');

        const exited = once(porta.child, 'exit');
        process.kill(containerInit(unshare), contract.stopSignal as NodeJS.Signals);
        const [code] = (await exited) as [number | null];
        // unshare exits with its child's status: PID 1 handled the signal and exited 0.
        assert.equal(code, 0, porta.stderr());
        assert.match(porta.stderr(), /Got SIGTERM: shutting down gracefully/);
        assert.match(porta.stderr(), /Stopped/);
        assert.notEqual(await healthcheck(), 0, 'HEALTHCHECK fails once porta is gone');
      } finally {
        await porta.stop('SIGKILL');
      }
    };

    it("the image's own command (serve, one process)", async () => {
      const port = Number(contract.cmd[contract.cmd.indexOf('--port') + 1]);
      await lifeOf(contract.cmd, port);
    });

    it('the compose front: run -c with 2 workers, reaped by node as PID 1', async () => {
      const example = readFileSync(resolve('examples/compose/porta.yaml'), 'utf8');
      const file = join(dir, 'front.yaml');
      writeFileSync(
        file,
        example.replace('/app/site', resolve('site')).replace('workers: auto', 'workers: 2'),
      );
      await lifeOf(['run', '-c', file, '--pid-file', join(dir, 'front.pid')], 8080);
    });
  },
);
