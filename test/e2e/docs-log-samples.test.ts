// End to end: the sample output README.md shows (error log, access log, error messages) has the
// shape of what porta really prints: each sample line matches a real line, numbers aside.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runPorta, spawnPorta } from '../support/porta-process.js';

const read = (file: string): string =>
  readFileSync(fileURLToPath(new URL(`../../${file}`, import.meta.url)), 'utf8');
const README = read('README.md');

/** The lines of the first fenced `text` block after a heading. */
function sampleAfter(heading: string, text = README): string[] {
  const at = `\n${text}`.indexOf(`\n${heading}\n`);
  assert.notEqual(at, -1, `no "${heading}"`);
  const block = /```text\n([\s\S]*?)```/.exec(text.slice(at));
  assert.ok(block, `no text block after "${heading}"`);
  return (block[1] ?? '').trim().split('\n');
}

/** A sample line as a pattern: numbers (times, ports, pids, versions) and month names may differ. */
function shapeOf(sample: string): RegExp {
  const escaped = sample.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `^${escaped.replace(/\d+/g, '\\d+').replace(/\/(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\//g, '/[A-Z][a-z]{2}/')}$`,
  );
}

function assertShown(samples: readonly string[], real: readonly string[]): void {
  for (const sample of samples) {
    const shape = shapeOf(sample);
    assert.ok(
      real.some((line) => shape.test(line)),
      `README sample\n  ${sample}\nmatches no line porta printed:\n  ${real.join('\n  ')}`,
    );
  }
}

describe("README's sample output is porta's", () => {
  it('error log and access log lines', async () => {
    const samples = sampleAfter('## Logs');
    const porta = await spawnPorta(
      'echo --host 127.0.0.1 --port 0 --log-level debug -w 1'.split(' '),
    );
    let stderr: string;
    let stdout: string;
    try {
      const response = await fetch(`${porta.url}/`, { headers: { 'user-agent': 'curl/8.5.0' } });
      await response.arrayBuffer();
      // The access line is written in a batch: wait for it.
      const deadline = Date.now() + 30_000;
      while (!porta.stdout().includes('"GET / HTTP/1.1"') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await porta.stop();
      stderr = porta.stderr();
      stdout = porta.stdout();
    }
    assertShown(samples, [...stderr.split('\n'), ...stdout.split('\n')]);
  });

  it('error messages', async () => {
    const samples = sampleAfter('### Errors you may see');
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const busy = await runPorta(['echo', '--host', '127.0.0.1', '--port', String(port)]);
      const range = await runPorta(['echo', '--port', '99999']);
      assertShown(samples, [...busy.stderr.split('\n'), ...range.stderr.split('\n')]);
    } finally {
      blocker.close();
    }
  });

  it("docs/logging.md's message for a log file that cannot be opened", async () => {
    const samples = sampleAfter('# Logging', read('docs/logging.md'));
    const dir = mkdtempSync(join(tmpdir(), 'porta-log-sample-'));
    try {
      const file = join(dir, 'porta.yaml');
      writeFileSync(
        file,
        'log:\n  access_path: /var/log/porta/access.log\nsites:\n  - listen: ["127.0.0.1:0"]\n    routes: [{ echo: {} }]\n',
      );
      const result = await runPorta(['run', '-c', file, '-w', '1']);
      assert.equal(result.code, 1);
      assertShown(samples, result.stderr.split('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
