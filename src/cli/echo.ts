// `porta echo`: the HTTP echo endpoint, or with --tcp the RFC 862 TCP echo service.
import type { Command } from 'commander';
import type { ConfigInput } from '../config/schema.js';
import {
  type CommonFlags,
  type ListenFlags,
  addCommonFlags,
  addListenFlags,
  adminSection,
  listenText,
  logSection,
  parseWorkers,
} from './common-options.js';

interface EchoFlags extends CommonFlags, ListenFlags {
  readonly tcp?: boolean;
  readonly maxBody: string;
  readonly name?: string;
}

/** The config `porta echo` runs: the same a porta.yaml with an echo route would give. */
export function buildEchoConfig(flags: EchoFlags): ConfigInput {
  const listen = [listenText(flags)];
  const log = logSection(flags);
  const workers = parseWorkers(flags.workers ?? '1');
  if (flags.tcp === true) {
    return { streams: [{ listen, echo: {} }], log, workers, ...adminSection(flags) };
  }
  const echo = flags.name === undefined ? {} : { name: flags.name };
  return {
    workers,
    sites: [{ listen, routes: [{ path: '/', echo }] }],
    limits: { max_body_size: /^\d+$/.test(flags.maxBody) ? Number(flags.maxBody) : flags.maxBody },
    log,
    ...adminSection(flags),
  };
}

export function addEchoCommand(
  program: Command,
  run: (config: ConfigInput) => Promise<void>,
  print: (config: ConfigInput) => void | Promise<void>,
): void {
  const command = program
    .command('echo')
    .description('echo requests back: HTTP (text, or JSON with Accept: application/json) or --tcp')
    .option('--tcp', 'plain TCP echo (RFC 862): every byte comes back');
  addListenFlags(command)
    .option('--max-body <size>', 'largest request body to echo (0 = no limit)', '0')
    .option(
      '--name <name>',
      "name in the X-Served-By answer field (default: this machine's host name)",
    );
  addCommonFlags(command, '1').action(async (flags: EchoFlags) => {
    const config = buildEchoConfig(flags);
    if (flags.printConfig === true) await print(config);
    else await run(config);
  });
}
