// `npm run bench:slowloris`: 10,050 slowloris connections (heads trickled, reopened when closed)
// against a cap of 10,000, then 95 honest GETs: how many does each server still answer?
// nginx (1 worker, worker_connections 10000) vs porta (max_connections 10000, 1 and 2 workers).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nextEvent } from './lib/idle.mjs';
import { writeNginxConfig } from './lib/nginx.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { PORTA_MAIN } from './lib/porta-main.mjs';
import { launch, stop, waitForPort } from './lib/processes.mjs';
import { runBench } from './lib/run-bench.mjs';
import { readList, readNumber } from './lib/settings.mjs';
import { markdownTable } from './lib/table.mjs';
import { findExecutable } from './lib/tools.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const portaMain = PORTA_MAIN;
const clientScript = here('./slowloris-client.mjs');
const CAP = 10_000;
const tempDirs = new Set();

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'porta-bench-slowloris-'));
  tempDirs.add(dir);
  return dir;
}

/**
 * @typedef {object} Subject
 * @property {string} name
 * @property {string} title
 * @property {(port: number) => { command: string, args: string[] }} prepare
 */

/** @returns {Subject[]} */
function subjects() {
  /** @param {number} workers @returns {Subject} */
  const porta = (workers) => ({
    name: `porta-${workers}`,
    title: `porta, max_connections ${CAP}, ${workers} worker${workers > 1 ? 's' : ''}`,
    prepare: (port) => {
      const file = join(tempDir(), 'porta.yaml');
      writeFileSync(
        file,
        `sites:
  - listen: ["127.0.0.1:${port}"]
    routes:
      - respond: { body: "Hello, World!" }
limits: { max_connections: ${CAP} }
workers: ${workers}
log: { access: off, level: warning }
`,
      );
      return { command: process.execPath, args: [portaMain, 'run', '-c', file] };
    },
  });
  const list = [porta(1), porta(2)];
  const nginx = findExecutable('nginx');
  if (nginx !== null) {
    list.unshift({
      name: 'nginx',
      title: `nginx, worker_connections ${CAP}, 1 worker`,
      prepare: (port) => writeNginxConfig({ nginx, dir: tempDir(), port, workerConnections: CAP }),
    });
  }
  return list;
}

async function main() {
  const slowCount = readNumber('BENCH_SLOW_CONNS', 10_050, 1);
  const goodCount = readNumber('BENCH_GOOD_CLIENTS', 95, 1);
  const only = readList('BENCH_SERVERS');
  const chosen = subjects().filter((s) => only === null || only.includes(s.name));
  console.log(`slowloris: ${slowCount} slow connections, then ${goodCount} honest GETs`);
  const rows = [];
  for (const subject of chosen) {
    const port = await pickFreePort();
    const { command, args } = subject.prepare(port);
    const server = launch({ label: subject.name, command, args, cpu: null });
    try {
      await waitForPort(server, port, 15_000);
      const client = launch({
        label: 'slowloris client',
        command: process.execPath,
        args: [clientScript, String(port), String(slowCount), String(goodCount), '240'],
        cpu: null,
      });
      try {
        const done = await nextEvent(client, 'done', 260_000);
        console.log(`${subject.name}: ${JSON.stringify(done)}`);
        rows.push([
          subject.title,
          `${done.slowHeldBefore} / ${slowCount}`,
          String(done.slowClosedByServer),
          `${done.served} / ${goodCount}`,
        ]);
      } finally {
        await stop(client, 3000);
      }
    } finally {
      await stop(server, 5000);
    }
  }
  console.log(
    '\n' +
      markdownTable(
        ['server', 'slowloris held', 'closed by server', 'honest GETs answered'],
        rows,
        [false, true, true, true],
      ),
  );
  return 0;
}

await runBench(
  'bench:slowloris',
  () => readNumber('BENCH_TIMEOUT', 1200, 10),
  main,
  () => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  },
);
