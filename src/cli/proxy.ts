// `porta proxy`: a reverse proxy to one or more upstreams, with load balancing and health checks.
import { type Command, Option } from 'commander';
import { BALANCE_NAMES } from '../balance/balancer.js';
import type { ConfigInput } from '../config/schema.js';
import { PortaError } from '../errors.js';
import {
  type CommonFlags,
  type ListenFlags,
  addCommonFlags,
  addListenFlags,
  listenText,
  adminSection,
  logSection,
  workersSection,
} from './common-options.js';

interface ProxyFlags extends CommonFlags, ListenFlags {
  readonly to: string[];
  readonly path: string;
  readonly balance?: (typeof BALANCE_NAMES)[number];
  readonly hashHeader?: string;
  readonly health?: string;
  readonly healthInterval?: string;
  readonly stripPrefix?: string;
  readonly hostHeader?: string;
  readonly trustedProxy: string[];
  readonly retries?: string;
  readonly maxBody: string;
  readonly upstreamCa?: string;
  readonly insecure?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The config `porta proxy` runs: the same a porta.yaml with one proxy route would give. */
export function buildProxyConfig(flags: ProxyFlags): ConfigInput {
  if (flags.to.length === 0) {
    throw new PortaError(
      'PORTA_USAGE',
      'porta proxy needs at least one --to URL, e.g. --to http://127.0.0.1:3000',
    );
  }
  if (flags.balance === 'header-hash' && flags.hashHeader === undefined) {
    throw new PortaError('PORTA_USAGE', '--balance header-hash needs --hash-header NAME');
  }
  let retries: number | undefined;
  if (flags.retries !== undefined) {
    retries = Number(flags.retries);
    if (!Number.isInteger(retries) || retries < 0) {
      throw new PortaError('PORTA_USAGE', `--retries "${flags.retries}" is not a whole number`);
    }
  }
  const tls = {
    ...(flags.upstreamCa === undefined ? {} : { ca: flags.upstreamCa }),
    ...(flags.insecure === true ? { insecure_skip_verify: true } : {}),
  };
  const proxy = {
    to: flags.to,
    ...(Object.keys(tls).length === 0 ? {} : { tls }),
    ...(flags.balance === undefined ? {} : { balance: flags.balance }),
    ...(flags.hashHeader === undefined ? {} : { hash_header: flags.hashHeader }),
    ...(flags.stripPrefix === undefined ? {} : { strip_prefix: flags.stripPrefix }),
    ...(flags.hostHeader === undefined ? {} : { host_header: flags.hostHeader }),
    ...(flags.trustedProxy.length === 0 ? {} : { trusted_proxies: flags.trustedProxy }),
    ...(retries === undefined ? {} : { retries }),
    ...(flags.health === undefined
      ? {}
      : {
          health: {
            path: flags.health,
            ...(flags.healthInterval === undefined ? {} : { interval: flags.healthInterval }),
          },
        }),
  };
  return {
    sites: [{ listen: [listenText(flags)], routes: [{ path: flags.path, proxy }] }],
    ...workersSection(flags),
    limits: { max_body_size: /^\d+$/.test(flags.maxBody) ? Number(flags.maxBody) : flags.maxBody },
    log: logSection(flags),
    ...adminSection(flags),
  };
}

export function addProxyCommand(
  program: Command,
  run: (config: ConfigInput) => Promise<void>,
  print: (config: ConfigInput) => void | Promise<void>,
): void {
  const command = program
    .command('proxy')
    .description('reverse proxy to HTTP upstreams with load balancing, health checks and retries');
  addCommonFlags(
    addListenFlags(command)
      .option(
        '--to <url>',
        'upstream URL, e.g. http://127.0.0.1:3000 (repeat for several)',
        collect,
        [],
      )
      .addOption(
        new Option('--balance <policy>', 'how an upstream is picked').choices(BALANCE_NAMES),
      )
      .option('--hash-header <name>', 'for --balance header-hash: the header to hash')
      .option('--health <path>', 'active health check: GET this path on every upstream')
      .option('--health-interval <duration>', 'time between health checks (default 10s)')
      .option('--strip-prefix <prefix>', 'remove this path prefix before proxying, e.g. /api')
      .option('--path <prefix>', 'only proxy requests under this path prefix', '/')
      .option('--host-header <value>', 'Host sent upstream: preserve, upstream, or a fixed name')
      .option(
        '--trusted-proxy <cidr>',
        'keep X-Forwarded-* from this proxy (repeatable; private_ranges)',
        collect,
        [],
      )
      .option('--retries <n>', 'further upstreams tried after a failure, when safe (default 2)')
      .option('--max-body <size>', 'largest request body (0 = no limit)', '0')
      .option('--upstream-ca <file>', 'https upstreams: PEM file of the CAs to trust')
      .option(
        '--insecure',
        'https upstreams: accept any certificate (self-signed development upstreams)',
      ),
    'auto',
  ).action(async (flags: ProxyFlags) => {
    const config = buildProxyConfig(flags);
    if (flags.printConfig === true) await print(config);
    else await run(config);
  });
}
