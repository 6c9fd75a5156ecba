// `porta serve <dir>` to its first answer, builds interleaved, each server pinned to CPU 0:
// wall time and the main thread's CPU time from /proc/<pid>/schedstat (nanoseconds, steadier
// than the 10 ms ticks of /proc/<pid>/stat on a shared machine). Linux with taskset only.
// Usage: taskset -c 1 node bench/macro/start-cpu.mjs [runs] [main.js ...]
//   (default: 21 runs of this build's dist/main.js; name a "before" build's main.js beside it)
// Whether NODE_EXTRA_CA_CERTS is set changes every Node start-up (~50 ms here): the header says.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { answers } from './lib/first-answer.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { median } from './lib/stats.mjs';

const runs = Number(process.argv[2] ?? 21);
const mains = process.argv.slice(3);
if (mains.length === 0) mains.push(fileURLToPath(new URL('../../dist/main.js', import.meta.url)));
const site = mkdtempSync(join(tmpdir(), 'porta-bench-start-cpu-'));
writeFileSync(join(site, 'index.html'), 'hello');

/** Starts `main serve <site>` on CPU 0 and polls until it answers: wall and main-thread CPU ms. */
async function once(main) {
  const port = await pickFreePort();
  const started = performance.now();
  const child = spawn(
    'taskset',
    ['-c', '0', process.execPath, main, 'serve', site, '--port', String(port)],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const deadline = Date.now() + 30_000;
    while (!(await answers(port))) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`${main} did not answer`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const wall = performance.now() - started;
    const cpu = Number(readFileSync(`/proc/${child.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    return { wall, cpu };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

const results = mains.map(() => ({ wall: [], cpu: [] }));
try {
  for (let i = 0; i < runs; i++) {
    for (const [index, main] of mains.entries()) {
      const { wall, cpu } = await once(main);
      results[index].wall.push(wall);
      results[index].cpu.push(cpu);
    }
  }
} finally {
  rmSync(site, { recursive: true, force: true });
}
const certs = process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'unset';
console.log(`porta serve to the first answer, medians of ${runs}, NODE_EXTRA_CA_CERTS ${certs}`);
for (const [index, main] of mains.entries()) {
  const { wall, cpu } = results[index];
  console.log(
    `${main}: main-thread CPU ${median(cpu).toFixed(1)} ms, wall ${median(wall).toFixed(1)} ms`,
  );
}
