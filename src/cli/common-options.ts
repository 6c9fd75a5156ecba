// Flags every server command shares (listen, workers, logging, print-config), worded once, and their config keys.
import { type Command, Option } from 'commander';
import type { ConfigInput } from '../config/schema.js';
import { PortaError } from '../errors.js';
import { parseListenAddress } from '../net/listen-address.js';
import { adminOverride } from '../process/config-request.js';

export interface CommonFlags {
  readonly logLevel?: 'debug' | 'info' | 'warning' | 'error';
  readonly logFormat?: 'text' | 'json';
  readonly accessLog?: 'combined' | 'json' | 'off';
  readonly accessLogFile?: string;
  readonly printConfig?: boolean;
  readonly workers?: string;
  readonly admin?: string;
}

export interface ListenFlags {
  readonly port?: string;
  readonly host?: string;
}

/** The port when neither --port nor $PORT names one. */
export const DEFAULT_PORT = '8080';

/** Adds the logging and print-config flags, and `--workers` stating its default (a count or "auto"). */
export function addCommonFlags(command: Command, defaultWorkers: string): Command {
  return command
    .option(
      '-w, --workers <n>',
      `worker processes: a number, or "auto" for one per core (default: ${defaultWorkers})`,
    )
    .addOption(
      new Option('--log-level <level>', 'error log level').choices([
        'debug',
        'info',
        'warning',
        'error',
      ]),
    )
    .addOption(
      new Option('--log-format <format>', 'error log lines: text or json').choices([
        'text',
        'json',
      ]),
    )
    .addOption(
      new Option('--access-log <format>', 'access log format').choices(['combined', 'json', 'off']),
    )
    .option('--access-log-file <path>', 'write the access log to a file instead of stdout')
    .option(
      '--admin <address>',
      "admin listener for /metrics, /healthz, /readyz and the status page, e.g. 127.0.0.1:2019 (a bare port binds 127.0.0.1); without it the config's admin, else $PORTA_ADMIN",
    )
    .option('--print-config', 'print the equivalent porta.yaml and exit');
}

/** Adds --port and --host, worded the same for every command that listens on one address. */
export function addListenFlags(command: Command): Command {
  return command
    .option(
      '-p, --port <port>',
      `port to listen on, 0 = any free port (default: $PORT, else ${DEFAULT_PORT})`,
    )
    .option('-H, --host <host>', 'address to bind (default: every interface, IPv4 and IPv6)');
}

/** The `log:` section a command's flags ask for. */
export function logSection(flags: CommonFlags): NonNullable<ConfigInput['log']> {
  return {
    ...(flags.logLevel === undefined ? {} : { level: flags.logLevel }),
    ...(flags.logFormat === undefined ? {} : { format: flags.logFormat }),
    ...(flags.accessLog === undefined ? {} : { access: flags.accessLog }),
    ...(flags.accessLogFile === undefined ? {} : { access_path: flags.accessLogFile }),
  };
}

/**
 * "host:port" for the config from --host and --port, the port falling back to $PORT (the
 * platforms' convention) and then 8080; checked here so a typo fails before binding.
 */
export function listenText(flags: ListenFlags, env: NodeJS.ProcessEnv = process.env): string {
  const envPort = env.PORT ?? '';
  const fromEnv = flags.port === undefined && envPort !== '';
  const port = flags.port ?? (fromEnv ? envPort : DEFAULT_PORT);
  const host = flags.host;
  const text = host === undefined || host === '' ? `:${port}` : hostPort(host, port);
  try {
    parseListenAddress(text);
  } catch (error) {
    if (!fromEnv || !(error instanceof Error)) throw error;
    throw new PortaError('PORTA_USAGE', `$PORT=${port} (used as --port): ${error.message}`);
  }
  return text;
}

function hostPort(host: string, port: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** --workers: "auto" or a positive whole number. */
export function parseWorkers(text: string): 'auto' | number {
  if (text === 'auto') return 'auto';
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1) {
    throw new PortaError(
      'PORTA_USAGE',
      `--workers ${text}: expected "auto" or a whole number >= 1`,
    );
  }
  return count;
}

/** The `workers` key from --workers, or nothing (the config's default: auto) when absent. */
export function workersSection(flags: CommonFlags): { workers?: 'auto' | number } {
  return flags.workers === undefined ? {} : { workers: parseWorkers(flags.workers) };
}

/** The `admin` key from --admin, the file's and $PORTA_ADMIN (see adminOverride). */
export function adminSection(
  flags: CommonFlags,
  current?: ConfigInput['admin'],
  env: NodeJS.ProcessEnv = process.env,
): { admin?: NonNullable<ConfigInput['admin']> } {
  return adminOverride(flags.admin, current, env.PORTA_ADMIN);
}
