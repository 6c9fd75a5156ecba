// `npm run bench:memory`: porta's resident memory as users run it, per process: `porta serve`
// (one process) and `porta run` with 2 workers (the primary and each worker), idle after start
// and after a wrk load on a 1 KiB static file. Medians over passes. See bench/README.md.
// BENCH_SETTLE=<seconds> adds a reading after that long idle, before the load: V8's memory
// reducer shrinks a heap grown at start-up only some 10-40 s after the last allocations.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pickFreePort } from './lib/ports.mjs';
import { PORTA_MAIN } from './lib/porta-main.mjs';
import { launch, runToEnd, sleep, stop, waitForPort } from './lib/processes.mjs';
import { processTree, readPrivateRss, readRss } from './lib/rss.mjs';
import { runBench } from './lib/run-bench.mjs';
import { readNumber } from './lib/settings.mjs';
import { median } from './lib/stats.mjs';
import { markdownTable } from './lib/table.mjs';
import { findExecutable } from './lib/tools.mjs';

// BENCH_PORTA_MAIN: another build's porta command (dist/bundle/main.js, or dist/main.js before it) (a "before" figure from the same run).
const main = process.env.BENCH_PORTA_MAIN ?? PORTA_MAIN;
const tempDirs = new Set();

/** The folder served (a 1 KiB index.html) and a porta.yaml for `porta run` with 2 workers. */
function prepareFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'porta-bench-memory-'));
  tempDirs.add(dir);
  writeFileSync(join(dir, 'index.html'), 'x'.repeat(1024));
  return dir;
}

/** @param {string} dir @param {number} port */
function writeClusterConfig(dir, port) {
  const path = join(dir, 'porta.yaml');
  writeFileSync(
    path,
    [
      'workers: 2',
      'log: { level: warning, access: "off" }',
      'sites:',
      `  - listen: ["127.0.0.1:${port}"]`,
      '    routes:',
      `      - { path: /, static: { root: ${JSON.stringify(dir)} } }`,
      '',
    ].join('\n'),
  );
  return path;
}

/**
 * @typedef {{ rss: number, own: number }} Reading VmRSS and RssAnon, bytes
 */

/** @param {number} pid @returns {Reading} */
const read = (pid) => ({ rss: readRss(pid), own: readPrivateRss(pid) });

/**
 * Memory of the server's processes: the one it runs as (the primary), then its children.
 * @param {number} pid
 */
function rssByProcess(pid) {
  const [root, ...children] = processTree(pid);
  return { primary: read(root ?? pid), children: children.map(read) };
}

/**
 * @param {{ wrk: string, port: number, seconds: number }} options
 */
async function load({ wrk, port, seconds }) {
  const result = await runToEnd({
    label: 'wrk',
    command: wrk,
    args: ['-t1', '-c50', `-d${seconds}s`, `http://127.0.0.1:${port}/index.html`],
    cpu: null,
    timeoutMs: seconds * 1000 + 15_000,
  });
  if (result.code !== 0) throw new Error(`wrk exited ${result.code}: ${result.stderr}`);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(result.stdout);
  return Number(rate?.[1] ?? 0);
}

/**
 * One fresh server: RSS 1 s after it answers (and `settle` s later when asked), then after the load.
 * @param {'serve' | 'cluster'} mode
 * @param {string} dir
 * @param {string} wrk
 * @param {number} seconds
 * @param {number} settle
 */
async function measureOne(mode, dir, wrk, seconds, settle) {
  const port = await pickFreePort();
  const args =
    mode === 'serve'
      ? [main, 'serve', dir, '--host', '127.0.0.1', '--port', String(port), '--access-log', 'off']
      : [main, 'run', '-c', writeClusterConfig(dir, port)];
  const server = launch({ label: `porta ${mode}`, command: process.execPath, args, cpu: null });
  try {
    await waitForPort(server, port, 15_000);
    await sleep(1000);
    const idle = rssByProcess(server.pid);
    let settled = null;
    if (settle > 0) {
      await sleep(settle * 1000);
      settled = rssByProcess(server.pid);
    }
    const rate = await load({ wrk, port, seconds });
    await sleep(1000);
    const after = rssByProcess(server.pid);
    return { idle, settled, after, rate };
  } finally {
    await stop(server, 8000);
  }
}

/** @param {number | null} bytes */
const mib = (bytes) => (bytes === null ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);
/** @param {Reading} r */
const show = (r) => `${mib(r.rss)} (${mib(r.own)} own)`;

async function run() {
  const passes = readNumber('BENCH_PASSES', 3, 1);
  const seconds = readNumber('BENCH_DURATION', 5, 1);
  const settle = readNumber('BENCH_SETTLE', 0, 0);
  const wrk = findExecutable('wrk');
  if (wrk === null) throw new Error('wrk is needed (scripts/install-bench-deps.sh)');
  const dir = prepareFiles();
  console.log(
    `porta memory (${main}): ${passes} pass(es), wrk -t1 -c50 -d${seconds}s on 1 KiB, medians` +
      (settle > 0 ? `, also idle ${settle} s` : ''),
  );
  /** @type {Record<string, { idle: Reading[], settled: Reading[], after: Reading[] }>} */
  const rows = {};
  /** @param {string} name @param {Reading} idle @param {Reading | undefined} settled @param {Reading} after */
  const note = (name, idle, settled, after) => {
    rows[name] ??= { idle: [], settled: [], after: [] };
    rows[name].idle.push(idle);
    if (settled !== undefined) rows[name].settled.push(settled);
    rows[name].after.push(after);
  };
  /** @param {{ primary: Reading, children: Reading[] }} m @returns {Reading} */
  const total = (m) => ({
    rss: m.primary.rss + m.children.reduce((a, b) => a + b.rss, 0),
    own: m.primary.own + m.children.reduce((a, b) => a + b.own, 0),
  });
  for (let pass = 1; pass <= passes; pass++) {
    const single = await measureOne('serve', dir, wrk, seconds, settle);
    note(
      'porta serve (1 process)',
      single.idle.primary,
      single.settled?.primary,
      single.after.primary,
    );
    const cluster = await measureOne('cluster', dir, wrk, seconds, settle);
    note(
      'porta run, 2 workers: primary',
      cluster.idle.primary,
      cluster.settled?.primary,
      cluster.after.primary,
    );
    cluster.idle.children.forEach((idle, i) => {
      note(
        'porta run, 2 workers: each worker',
        idle,
        cluster.settled?.children[i],
        cluster.after.children[i] ?? idle,
      );
    });
    note(
      'porta run, 2 workers: all 3 processes',
      total(cluster.idle),
      cluster.settled === null ? undefined : total(cluster.settled),
      total(cluster.after),
    );
    console.log(
      `pass ${pass}: serve ${show(single.idle.primary)}` +
        (single.settled === null ? '' : `, ${show(single.settled.primary)} settled`) +
        ` -> ${show(single.after.primary)} ` +
        `(${single.rate.toFixed(0)} req/s); cluster primary ${show(cluster.idle.primary)}, ` +
        `workers ${cluster.idle.children.map(show).join(', ')} -> ` +
        `${cluster.after.children.map(show).join(', ')} (${cluster.rate.toFixed(0)} req/s)`,
    );
  }
  /** @param {Reading[]} list */
  const cell = (list) =>
    show({ rss: median(list.map((r) => r.rss)) ?? 0, own: median(list.map((r) => r.own)) ?? 0 });
  const heads = settle > 0 ? ['RSS idle (own)', `idle ${settle} s`] : ['RSS idle (own)'];
  console.log(
    '\n' +
      markdownTable(
        ['process', ...heads, 'RSS after load (own)'],
        Object.entries(rows).map(([name, r]) => [
          name,
          cell(r.idle),
          ...(settle > 0 ? [cell(r.settled)] : []),
          cell(r.after),
        ]),
        [false, ...heads.map(() => true), true],
      ),
  );
  return 0;
}

await runBench(
  'bench:memory',
  () =>
    readNumber(
      'BENCH_TIMEOUT',
      300 + 2 * readNumber('BENCH_SETTLE', 0, 0) * readNumber('BENCH_PASSES', 3, 1),
      10,
    ),
  run,
  () => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  },
);
