// `porta reload` and `porta stop`: find the running server by its pid file, make sure it is
// porta, signal it, and wait for the outcome (a refused reload exits 1 with the errors).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { PortaError } from '../errors.js';
import { defaultPidFile, isPortaProcess, isRunning, readPidFile } from '../process/pid-file.js';
import { readReloadStatus, reloadStatusPath } from '../process/reload-status.js';

interface ControlFlags {
  readonly config: string;
  readonly pidFile?: string;
}

/** How long a reload (a rolling one over every worker) or a stop may take before we give up. */
const WAIT_MS = 120_000;

/** The pid file `porta run -c <config>` writes: --pid-file, the config's pid_file, or the default. */
export async function pidFileOf(flags: ControlFlags): Promise<string> {
  if (flags.pidFile !== undefined) return flags.pidFile;
  try {
    // Loaded here only: the command line of a running server never needs the config stack.
    const { loadConfigFile } = await import('../config/load.js');
    const loaded = await loadConfigFile(flags.config, { command: 'reload' });
    const named = loaded.config.pid_file;
    return named === undefined ? defaultPidFile(loaded.path) : resolve(loaded.baseDir, named);
  } catch {
    // A file the server will refuse (the reason to run `porta reload`) still names its pid file.
    return (await rawPidFile(resolve(flags.config))) ?? defaultPidFile(flags.config);
  }
}

/** `pid_file` (and `base_dir`) read from the file as plain YAML/JSON, without validating the rest. */
async function rawPidFile(path: string): Promise<string | null> {
  try {
    const { parse } = await import('yaml');
    const tree = parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof tree !== 'object' || tree === null) return null;
    const { pid_file: named, base_dir: base } = tree as Record<string, unknown>;
    if (typeof named !== 'string') return null;
    const baseDir = resolve(dirname(path), typeof base === 'string' ? base : '.');
    return resolve(baseDir, named);
  } catch {
    return null;
  }
}

async function findServer(flags: ControlFlags): Promise<{ pid: number; pidFile: string }> {
  const path = await pidFileOf(flags);
  const pid = readPidFile(path);
  if (pid === null) {
    throw new PortaError(
      'PORTA_USAGE',
      `no running porta found for ${flags.config} (no pid file at ${path}); is \`porta run -c ${flags.config}\` running? Use --pid-file if it was given one.`,
    );
  }
  if (!isRunning(pid)) {
    throw new PortaError('PORTA_USAGE', `the pid file ${path} names ${pid}, which is not running`);
  }
  // A stale pid file may name a pid the system has since given to another program.
  if (isPortaProcess(pid) === false) {
    throw new PortaError(
      'PORTA_USAGE',
      `the pid file ${path} names ${pid}, which is not porta (a stale file?); nothing was signalled`,
    );
  }
  return { pid, pidFile: path };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends SIGHUP and waits for the server's answer in the reload status file. */
async function reload(flags: ControlFlags): Promise<string> {
  const { pid, pidFile } = await findServer(flags);
  const statusFile = reloadStatusPath(pidFile);
  const before = readReloadStatus(statusFile, pid)?.serial ?? 0;
  process.kill(pid, 'SIGHUP');
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const status = readReloadStatus(statusFile, pid);
    if (status !== null && status.serial > before) {
      if (status.ok) return `porta (pid ${pid}) reloaded ${flags.config}\n`;
      throw new PortaError(
        status.code === 'PORTA_CONFIG_INVALID' ? 'PORTA_CONFIG_INVALID' : 'PORTA_INTERNAL',
        `porta (pid ${pid}) refused the new configuration and keeps running the previous one: ${status.message}`,
      );
    }
    if (!isRunning(pid)) {
      throw new PortaError('PORTA_INTERNAL', `porta (pid ${pid}) exited during the reload`);
    }
    if (Date.now() > deadline) {
      throw new PortaError(
        'PORTA_INTERNAL',
        `porta (pid ${pid}) did not report the reload's outcome within ${WAIT_MS / 1000}s; see its log`,
      );
    }
    await sleep(50);
  }
}

export function addControlCommands(program: Command): void {
  program
    .command('reload')
    .description(
      'reload the config of a running `porta run` (SIGHUP) and wait: exits 1 with the errors if it refused the file',
    )
    .option('-c, --config <file>', 'the config file the server was started with', 'porta.yaml')
    .option(
      '--pid-file <path>',
      "pid file of the server (default: the config's pid_file, or one derived from its path)",
    )
    .action(async (flags: ControlFlags) => {
      process.stdout.write(await reload(flags));
    });
  program
    .command('stop')
    .description('stop a running `porta run` gracefully (same as sending it SIGTERM)')
    .option('-c, --config <file>', 'the config file the server was started with', 'porta.yaml')
    .option(
      '--pid-file <path>',
      "pid file of the server (default: the config's pid_file, or one derived from its path)",
    )
    .action(async (flags: ControlFlags) => {
      const { pid } = await findServer(flags);
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + WAIT_MS;
      while (isRunning(pid) && Date.now() < deadline) await sleep(100);
      if (isRunning(pid))
        throw new PortaError(
          'PORTA_INTERNAL',
          `porta (pid ${pid}) is still running after ${WAIT_MS / 1000}s`,
        );
      process.stdout.write(`porta (pid ${pid}) stopped\n`);
    });
}
