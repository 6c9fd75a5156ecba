#!/usr/bin/env node
// The porta executable: argv to the command line, nothing else; child processes go straight to their job.
// (node:cluster costs nothing here: every listen() loads it to ask whether this is a worker.)
import cluster from 'node:cluster';
import { CONFIG_CHECK_ENV } from './process/config-request.js';
import { holdSighup } from './process/early-sighup.js';

const SERVER_COMMANDS: ReadonlySet<string> = new Set([
  'run',
  'serve',
  'echo',
  'proxy',
  'forward',
  'app',
]);

/**
 * What this process is for. A function, not top-level await: the bundle is CommonJS, which has
 * none (scripts/bundle.mjs).
 */
async function start(): Promise<void> {
  const argv = process.argv.slice(2);
  if (process.env[CONFIG_CHECK_ENV] !== undefined) {
    // A cluster primary's config check (process/config-check.ts): validate, answer, exit.
    const { answerConfigCheck } = await import('./process/config-child.js');
    await answerConfigCheck();
  } else if (cluster.isWorker) {
    // A worker serves what its primary sends: it needs no command line.
    const { runWorker } = await import('./process/worker.js');
    runWorker();
  } else if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    // The version alone needs none of the command line or config modules: answer at once.
    const { PACKAGE_VERSION } = await import('./cli/version.js');
    process.stdout.write(`${PACKAGE_VERSION}\n`);
  } else {
    // Commands that run a server: a SIGHUP before they serve must not end them (runServer takes over).
    if (SERVER_COMMANDS.has(argv[0] ?? '')) holdSighup();
    const { main } = await import('./cli/index.js');
    await main(argv);
  }
}

start().catch((error: unknown) => {
  // As a top-level await would: an uncaught exception (the stack on stderr, exit code 1).
  process.nextTick(() => {
    throw error;
  });
});
