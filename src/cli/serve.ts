// `porta serve [root]`: serve a folder; builds the same config a porta.yaml with one static route would.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { PortaError } from '../errors.js';
import type { StaticConfigInput } from '../config/static-schema.js';
import { parseDuration } from '../config/units.js';
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

export interface ServeFlags extends CommonFlags, ListenFlags {
  readonly spa?: boolean;
  readonly listing?: boolean;
  readonly cors?: boolean;
  /** commander's `--no-compress` sets this to false. */
  readonly compress?: boolean;
  readonly cache?: string;
  readonly open?: boolean;
  readonly https?: boolean;
}

/** The config `porta serve` runs (a ConfigInput once the schema's routes know `static`). */
export interface ServeConfig {
  sites: [
    {
      listen: string[];
      routes: [{ path: '/'; static: StaticConfigInput }];
      tls?: 'internal';
    },
  ];
  log?: ReturnType<typeof logSection>;
  workers: 'auto' | number;
  admin?: ReturnType<typeof adminSection>['admin'];
}

/** Builds the config for `serve`: one site on host:port, one `/` route serving `root` (absolute). */
export function buildServeConfig(root: string | undefined, flags: ServeFlags): ServeConfig {
  const options: { -readonly [K in keyof StaticConfigInput]: StaticConfigInput[K] } = {
    root: resolve(root ?? '.'),
  };
  if (flags.spa === true) options.spa = true;
  if (flags.listing === true) options.listing = true;
  if (flags.cors === true) options.cors = true;
  if (flags.compress === false) options.compress = false;
  if (flags.cache !== undefined) options.cache_control = cacheControl(flags.cache);
  const log = logSection(flags);
  return {
    workers: parseWorkers(flags.workers ?? '1'),
    sites: [
      {
        listen: [listenText(flags)],
        routes: [{ path: '/', static: options }],
        ...(flags.https === true ? { tls: 'internal' as const } : {}),
      },
    ],
    ...(Object.keys(log).length === 0 ? {} : { log }),
    ...adminSection(flags),
  };
}

/** `--cache 3600` or `--cache 1h` as a Cache-Control value; 0 keeps revalidation on every use. */
export function cacheControl(maxAge: string): string {
  const milliseconds = parseDuration(/^\d+$/.test(maxAge) ? Number(maxAge) : maxAge);
  if (Number.isNaN(milliseconds)) {
    throw new PortaError(
      'PORTA_USAGE',
      `--cache expects seconds or a duration like "1h", got ${JSON.stringify(maxAge)}`,
    );
  }
  const seconds = Math.floor(milliseconds / 1000);
  return seconds === 0 ? 'no-cache' : `public, max-age=${seconds}`;
}

/** Prints a config as YAML (what --print-config shows when the caller passes no printer). */
async function printYaml(config: unknown): Promise<void> {
  // Loaded here only: a server that runs never needs the YAML writer.
  const { stringify } = await import('yaml');
  process.stdout.write(stringify(config));
}

/**
 * Registers `serve [root]`. `run` gets the config and what to do once listening;
 * `print` (default: YAML on stdout) handles --print-config, after which nothing runs.
 */
export function addServeCommand(
  program: Command,
  run: (config: ServeConfig, info: ServeInfo) => Promise<void>,
  print: (config: ServeConfig) => void | Promise<void> = printYaml,
): void {
  const command = program
    .command('serve')
    .description('serve a folder over HTTP (default: the current folder)')
    .argument('[root]', 'folder to serve', '.');
  addListenFlags(command)
    .option('--spa', 'single-page app: page navigations to unknown paths get index.html')
    .option('--listing', 'list folders that have no index.html')
    .option('--cors', 'allow any origin to read the files (CORS, no credentials)')
    .option('--no-compress', 'never compress on the fly (precompressed .br/.gz still count)')
    .option(
      '--cache <max-age>',
      'Cache-Control max-age, in seconds or like "1h" (default: no-cache)',
    )
    .option('--open', 'open the site in a browser once it listens')
    .option(
      '--https',
      "serve HTTPS with a certificate from porta's local CA (made once; `porta trust` adds it to browsers)",
    );
  addCommonFlags(command, '1').action(async (root: string, flags: ServeFlags) => {
    const config = buildServeConfig(root, flags);
    if (flags.printConfig === true) {
      await print(config);
      return;
    }
    const folder = config.sites[0].routes[0].static.root ?? root;
    if (!isDirectory(folder)) {
      throw new PortaError('PORTA_USAGE', `cannot serve ${folder}: no such folder`);
    }
    await run(config, { openBrowser: flags.open === true, hint: startHint(folder, flags) });
  });
}

/** What the caller does once listening: open a browser, log a hint about the folder. */
export interface ServeInfo {
  readonly openBrowser: boolean;
  /** A line to log once at start-up, or null. */
  readonly hint: string | null;
}

/** A folder without index.html and no --listing/--spa answers `/` with a 404 page: say so at once. */
function startHint(folder: string, flags: ServeFlags): string | null {
  if (flags.listing === true || flags.spa === true) return null;
  if (existsSync(join(folder, 'index.html'))) return null;
  return `No index.html in ${folder}: / answers 404; start with --listing to browse the folder`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
