// What a worker's environment keeps of what its primary forked it with: its number and the
// worker count, but not the config (JSON that may hold password hashes or upstream headers) nor
// the TLS ticket key. An app's child processes inherit this environment: they see neither.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type PortaProcess, freePort, spawnPorta } from '../support/porta-process.js';
import { waitFor } from '../support/wait-for.js';

/** Answers with the PORTA_* variable names a child process of this worker would inherit. */
const ENV_APP = `import { execFileSync } from 'node:child_process';
export default {
  fetch() {
    const names = execFileSync(process.execPath, ['-e', 'console.log(JSON.stringify(Object.keys(process.env).filter((k) => k.startsWith("PORTA_")).sort()))'], { encoding: 'utf8' });
    return new Response(names, { headers: { 'Content-Type': 'application/json', 'X-Pid': String(process.pid) } });
  },
};
`;

describe('a worker environment, 2 workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porta-worker-env-'));
  let porta: PortaProcess | undefined;
  let base = '';

  before(async () => {
    writeFileSync(join(dir, 'env-app.mjs'), ENV_APP);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'porta.yaml'),
      [
        'workers: 2',
        'log: { access: off }',
        'sites:',
        `  - listen: ['127.0.0.1:${port}']`,
        '    routes:',
        '      - path: /fixed',
        '        respond: { status: 203, body: "from the config" }',
        '      - path: /',
        '        app: { module: env-app.mjs }',
        '',
      ].join('\n'),
    );
    porta = await spawnPorta(['run', '-c', join(dir, 'porta.yaml')], 60_000);
    await waitFor(() => /\(2 workers\)/.test(porta?.stderr() ?? ''), 60_000);
  });

  after(async () => {
    await porta?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("an app's child process inherits no config and no ticket key, from either worker", async () => {
    const pids = new Set<string>();
    // Connection: close spreads requests over both workers; a bounded number of tries.
    for (let i = 0; i < 40 && pids.size < 2; i++) {
      const answer = await fetch(`${base}/`, { headers: { Connection: 'close' } });
      assert.equal(answer.status, 200);
      pids.add(answer.headers.get('x-pid') ?? '');
      const names = JSON.parse(await answer.text()) as string[];
      assert.ok(!names.includes('PORTA_WORKER_CONFIG'), `config inherited: ${names.join(' ')}`);
      assert.ok(!names.includes('PORTA_TICKET_KEY'), `ticket key inherited: ${names.join(' ')}`);
      assert.ok(names.includes('PORTA_WORKER'), 'the worker number stays');
    }
    assert.equal(pids.size, 2, 'both workers answered');
    // The workers serve the config they took out of the environment.
    const fixed = await fetch(`${base}/fixed`);
    assert.equal(fixed.status, 203);
    assert.equal(await fixed.text(), 'from the config');
  });
});
