// `porta echo`: the HTTP echo endpoint, or with --tcp the RFC 862 TCP echo service.
import type { Command } from 'commander';
import type { ConfigInput } from '../config/schema.js';
import {
  type CommonFlags,
  addCommonFlags,
  listenText,
  logSection,
  parseWorkers,
} from './common-options.js';

interface EchoFlags extends CommonFlags {
  readonly tcp?: boolean;
  readonly port: string;
  readonly host?: string;
  readonly maxBody: string;
  readonly workers: string;
}

/** The config `porta echo` runs: the same a porta.yaml with an echo route would give. */
export function buildEchoConfig(flags: EchoFlags): ConfigInput {
  const listen = [listenText(flags.host, flags.port)];
  const log = logSection(flags);
  const workers = parseWorkers(flags.workers);
  if (flags.tcp === true) return { streams: [{ listen, echo: {} }], log, workers };
  return {
    workers,
    sites: [{ listen, routes: [{ path: '/', echo: {} }] }],
    limits: { max_body_size: /^\d+$/.test(flags.maxBody) ? Number(flags.maxBody) : flags.maxBody },
    log,
  };
}

export function addEchoCommand(
  program: Command,
  run: (config: ConfigInput) => Promise<void>,
  print: (config: ConfigInput) => void,
): void {
  addCommonFlags(
    program
      .command('echo')
      .description(
        'echo requests back: HTTP (text, or JSON with Accept: application/json) or --tcp',
      )
      .option('--tcp', 'plain TCP echo (RFC 862): every byte comes back')
      .option('-p, --port <port>', 'port to listen on (0 = any free port)', '8080')
      .option('-H, --host <host>', 'address to bind (default: all interfaces)')
      .option('--max-body <size>', 'largest request body to echo (0 = no limit)', '0')
      .option('-w, --workers <n>', 'worker processes: a number or "auto" (one per core)', '1'),
  ).action(async (flags: EchoFlags) => {
    const config = buildEchoConfig(flags);
    if (flags.printConfig === true) print(config);
    else await run(config);
  });
}
