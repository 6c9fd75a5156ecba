// Runs the built porta CLI as a child process for end-to-end tests, and always stops it.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The porta command users run: the bundled command line (package.json `bin`, scripts/bundle.mjs). */
export const PORTA_MAIN = fileURLToPath(new URL('../../dist/bundle/main.js', import.meta.url));
const MAIN = PORTA_MAIN;

export interface PortaProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout/stderr so far. */
  stdout(): string;
  stderr(): string;
  /** The first http://, https://, tcp:// or udp:// URL from "Listening on ..." (waits for it). */
  readonly url: string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnOptions {
  /** Run under `ulimit -n` this many open files (through bash, which then execs node). */
  readonly openFiles?: number;
  /** The environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * A command that execs the rest (`ip netns exec front`), so the child's PID is node's.
   * Not with openFiles.
   */
  readonly prefix?: readonly string[];
}

/** Spawns `node dist/bundle/main.js ...args` and waits until it logs a listening URL. */
export async function spawnPorta(
  args: readonly string[],
  timeoutMs = 30_000,
  options: SpawnOptions = {},
): Promise<PortaProcess> {
  const command =
    options.openFiles === undefined
      ? [...(options.prefix ?? []), process.execPath, MAIN, ...args]
      : // exec keeps the PID ours to signal; "$0" is the limit.
        [
          'bash',
          '-c',
          'ulimit -n "$0" && exec "$@"',
          String(options.openFiles),
          process.execPath,
          MAIN,
          ...args,
        ];
  const child = spawn(command[0] as string, command.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = once(child, 'exit');
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill(signal);
    const [code] = (await exited) as [number | null];
    return code;
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /listening on ((?:https?|tcp|udp):\/\/\S+)/i.exec(err + out);
    if (match !== null) {
      return { child, stdout: () => out, stderr: () => err, url: match[1] as string, stop };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(`porta did not start (exit ${child.exitCode}):\n${err}\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs porta to completion (for commands that exit by themselves). */
export async function runPorta(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** A port nothing listens on right now (for $PORT, or sites sharing one port: a number, not 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` now. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}
