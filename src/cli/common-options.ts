// Flags every command shares (logging, print-config) and their translation into config keys.
import { type Command, Option } from 'commander';
import type { ConfigInput } from '../config/schema.js';
import { PortaError } from '../errors.js';
import { parseListenAddress } from '../net/listen-address.js';

export interface CommonFlags {
  readonly logLevel?: 'debug' | 'info' | 'warning' | 'error';
  readonly logFormat?: 'text' | 'json';
  readonly accessLog?: 'combined' | 'json' | 'off';
  readonly accessLogFile?: string;
  readonly printConfig?: boolean;
}

/** Adds the shared flags to a command. */
export function addCommonFlags(command: Command): Command {
  return command
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
    .option('--print-config', 'print the equivalent porta.yaml and exit');
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

/** "host:port" for the config from --host and --port; checked here so a typo fails before binding. */
export function listenText(host: string | undefined, port: string): string {
  const text = host === undefined || host === '' ? `:${port}` : hostPort(host, port);
  parseListenAddress(text);
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
