// Time from `npm start` to the first byte of the welcome page, with dist/ fresh or missing.
// Usage: node bench/macro/start-ttfb.mjs [runs]   (prints one line per run and the median)
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

const root = new URL('../..', import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 3);

/** A port free right now (the OS picks it). */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Milliseconds from spawning `npm start` until a GET / answers. */
async function timeToFirstByte() {
  const port = await freePort();
  const started = performance.now();
  const child = spawn('npm', ['start', '--', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: root,
    stdio: 'ignore',
    detached: true, // its own process group: npm, node and tsc all stop together below
  });
  try {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`);
        await response.arrayBuffer();
        return performance.now() - started;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    throw new Error('npm start did not answer within 120 s');
  } finally {
    process.kill(-child.pid, 'SIGTERM');
  }
}

const times = [];
for (let i = 0; i < runs; i++) {
  const ms = await timeToFirstByte();
  times.push(ms);
  console.log(`run ${i + 1}: ${(ms / 1000).toFixed(2)} s to first byte`);
}
times.sort((a, b) => a - b);
console.log(`median: ${(times[Math.floor(times.length / 2)] / 1000).toFixed(2)} s`);
