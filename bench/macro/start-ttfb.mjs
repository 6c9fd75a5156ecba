// `npm run bench:start`: how fast porta starts. Wall time of `porta --version`, of `porta serve
// <dir>` until its first answered request, and of `npm start` until the welcome page answers.
// Usage: node bench/macro/start-ttfb.mjs [runs]   (one line per case, then a table of medians)
// porta is the bundled command line (dist/bundle/main.js), as users run it.
// BENCH_PORTA_MAIN=<other build>/dist/bundle/main.js (or dist/main.js) measures another build instead;
// BENCH_PORTA_BEFORE=<other build>/dist/bundle/main.js (or dist/main.js) measures it beside this one, runs interleaved;
// BENCH_START_NPM=0 skips the `npm start` row (it rebuilds dist/ when stale).
// Whether NODE_EXTRA_CA_CERTS is set changes every Node start-up (~50 ms here): the header says.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { answers } from './lib/first-answer.mjs';
import { pickFreePort } from './lib/ports.mjs';
import { PORTA_MAIN } from './lib/porta-main.mjs';
import { median } from './lib/stats.mjs';
import { markdownTable } from './lib/table.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const main = process.env.BENCH_PORTA_MAIN ?? PORTA_MAIN;
const runs = Number(process.argv[2] ?? 10);
const site = mkdtempSync(join(tmpdir(), 'porta-bench-start-'));
writeFileSync(join(site, 'index.html'), 'hello');

/** Milliseconds until `node main.js --version` exits. */
function timeVersion(entry) {
  const started = performance.now();
  const child = spawn(process.execPath, [entry, '--version'], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`porta --version exited ${code}`));
    });
  });
}

/** CPU (user + system) the server used until its first answer, per run: steadier than wall time. */
let cpu = [];

/**
 * User + system CPU milliseconds of a live process and its children, alive (workers) or
 * reaped (a config check child), from /proc/<pid>/stat (clock ticks of 10 ms).
 */
function cpuMs(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0; // gone meanwhile
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let total =
    (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 10;
  let children = '';
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    // no children file: none counted
  }
  for (const child of children.split(' ').filter(Boolean)) total += cpuMs(Number(child));
  return total;
}

/**
 * Milliseconds from spawning the command until GET / answers 200 (polled every 2 ms: a refused
 * connect costs microseconds), then the server is stopped (its process group).
 */
async function timeFirstAnswer(command, args, port) {
  const started = performance.now();
  const child = spawn(command, args, { cwd: root, stdio: 'ignore', detached: true });
  try {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (await answers(port)) {
        cpu.push(cpuMs(child.pid));
        return performance.now() - started;
      }
      if (child.exitCode !== null) throw new Error(`${command} exited ${child.exitCode}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    throw new Error(`${command} did not answer within 120 s`);
  } finally {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone already
    }
    await new Promise((resolve) =>
      child.exitCode !== null ? resolve() : child.once('exit', resolve),
    );
  }
}

const serveArgs = (entry, port, extra = []) => [
  entry,
  'serve',
  site,
  '--host',
  '127.0.0.1',
  '--port',
  String(port),
  '--access-log',
  'off',
  ...extra,
];

/** Milliseconds until `node -e 0` exits: what Node itself costs on this machine right now. */
function timeBareNode() {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - started));
  });
}

/** A cluster primary that forks one worker and exits when it has: two Node start-ups in a row. */
const twoNodes = join(site, 'two-nodes.cjs');
writeFileSync(
  twoNodes,
  "const c = require('node:cluster');\n" +
    "if (c.isPrimary) c.fork().once('online', () => process.exit(0));\n" +
    'else process.send({});\n',
);

/** Milliseconds until a cluster primary's forked worker is online (no porta module loaded). */
function timeTwoNodes() {
  const started = performance.now();
  const child = spawn(process.execPath, [twoNodes], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - started));
  });
}

const builds = [['', main]];
if (process.env.BENCH_PORTA_BEFORE !== undefined) {
  builds.unshift(['before: ', process.env.BENCH_PORTA_BEFORE]);
  builds[1][0] = 'after: ';
}

const cases = [
  { name: '`node -e 0` (Node alone, for scale)', time: () => timeBareNode() },
  { name: 'two Node start-ups in sequence (primary forks a worker)', time: () => timeTwoNodes() },
];
if (process.env.BENCH_START_NPM !== '0' && process.env.BENCH_PORTA_MAIN === undefined) {
  cases.push({
    name: '`npm start` to first answer',
    time: async () => {
      const port = await pickFreePort();
      return timeFirstAnswer(
        'npm',
        ['start', '--', '--host', '127.0.0.1', '--port', String(port)],
        port,
      );
    },
  });
}
for (const [label, entry] of builds) {
  cases.push({ name: `${label}\`porta --version\` (exit)`, time: () => timeVersion(entry) });
  for (const [what, extra] of [
    ['', []],
    [' --workers 2', ['--workers', '2']],
  ]) {
    cases.push({
      name: `${label}\`porta serve <dir>${what}\` to first answer`,
      time: async () => {
        const port = await pickFreePort();
        return timeFirstAnswer(process.execPath, serveArgs(entry, port, extra), port);
      },
    });
  }
}
try {
  const extra = process.env.NODE_EXTRA_CA_CERTS === undefined ? 'unset' : 'set';
  console.log(
    `porta start-up (${main}): ${runs} runs each, interleaved, medians; NODE_EXTRA_CA_CERTS ${extra}`,
  );
  for (const entry of cases) await entry.time(); // warm the page cache; not counted
  const times = cases.map(() => []);
  const cpus = cases.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [index, entry] of cases.entries()) {
      cpu = [];
      times[index].push(await entry.time());
      cpus[index].push(...cpu);
    }
  }
  const rows = [];
  for (const [index, entry] of cases.entries()) {
    console.log(`${entry.name}: ${times[index].map((t) => t.toFixed(0)).join(' ')} ms`);
    const sorted = [...times[index]].sort((a, b) => a - b);
    rows.push([
      entry.name,
      cpus[index].length === 0 ? 'n/a' : `${median(cpus[index])?.toFixed(0)} ms`,
      `${median(times[index])?.toFixed(0)} ms`,
      `${sorted[0]?.toFixed(0)} ms`,
      `${sorted.at(-1)?.toFixed(0)} ms`,
    ]);
  }
  console.log(
    '\n' +
      markdownTable(['what', 'server CPU to answer', 'median', 'min', 'max'], rows, [
        false,
        true,
        true,
        true,
        true,
      ]),
  );
} finally {
  rmSync(site, { recursive: true, force: true });
}
