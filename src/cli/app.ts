// `porta app ./server.ts`: runs a Web-standard fetch handler (Hono, h3, itty-router) on porta, in every worker.
import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { ConfigInput } from '../config/schema.js';
import { PortaError } from '../errors.js';
import type { RunOptions } from './run-server.js';
import {
  type CommonFlags,
  type ListenFlags,
  addCommonFlags,
  addListenFlags,
  listenText,
  logSection,
  parseWorkers,
} from './common-options.js';

interface AppFlags extends CommonFlags, ListenFlags {
  readonly export: string;
  readonly timeout?: string;
  readonly maxBody: string;
  readonly path: string;
  readonly watch?: boolean;
}

/** The config `porta app` runs: the same a porta.yaml with one `app` route would give. */
export function buildAppConfig(module: string, flags: AppFlags): ConfigInput {
  const file = resolve(module);
  if (!existsSync(file)) {
    throw new PortaError('PORTA_USAGE', `porta app: no such module ${JSON.stringify(file)}`);
  }
  const app = {
    module: file,
    ...(flags.export === 'default' ? {} : { export: flags.export }),
    ...(flags.timeout === undefined ? {} : { timeout: flags.timeout }),
  };
  return {
    // Development (--watch) restarts one worker; serving uses them all unless told.
    workers: parseWorkers(flags.workers ?? (flags.watch === true ? '1' : 'auto')),
    sites: [{ listen: [listenText(flags)], routes: [{ path: flags.path, app }] }],
    limits: { max_body_size: /^\d+$/.test(flags.maxBody) ? Number(flags.maxBody) : flags.maxBody },
    log: logSection(flags),
  };
}

export function addAppCommand(
  program: Command,
  run: (config: ConfigInput, options: RunOptions) => Promise<void>,
  print: (config: ConfigInput) => void | Promise<void>,
): void {
  const command = program
    .command('app')
    .argument('<module>', 'the app: a .ts, .mts, .js or .mjs module exporting { fetch }')
    .description('run a fetch-handler app (Hono, h3, itty-router, export default { fetch })');
  addListenFlags(command)
    .option('--export <name>', 'the export holding the app', 'default')
    .option('--timeout <duration>', 'time the app may take to answer before 504 (default 30s)')
    .option('--max-body <size>', 'largest request body (0 = no limit)', '1m')
    .option('--path <prefix>', 'serve the app under this path prefix', '/')
    .option('--watch', "reload when a file in the module's folder changes (development)");
  addCommonFlags(command, 'auto, or 1 with --watch').action(
    async (module: string, flags: AppFlags) => {
      const config = buildAppConfig(module, flags);
      if (flags.printConfig === true) await print(config);
      else {
        const folder = dirname(resolve(module));
        await run(config, {
          // SIGHUP (and --watch) start fresh workers that import the module again.
          reloadable: true,
          ...(flags.watch === true ? { watchFolder: folder } : {}),
        });
      }
    },
  );
}
