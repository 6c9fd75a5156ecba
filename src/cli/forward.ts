// `porta forward 8080:127.0.0.1:80 ...`: TCP/UDP port forwarding in docker's -p spelling.
import { type Command, Option } from 'commander';
import { BALANCE_NAMES } from '../balance/balancer.js';
import type { ConfigInput } from '../config/schema.js';
import { PortaError } from '../errors.js';
import { type PortMapping, parsePortMapping } from '../forward/port-mapping.js';
import { formatHostPort } from '../net/listen-address.js';
import {
  type CommonFlags,
  addCommonFlags,
  adminSection,
  logSection,
  workersSection,
} from './common-options.js';

interface ForwardFlags extends CommonFlags {
  readonly balance?: (typeof BALANCE_NAMES)[number];
  readonly proxyProtocol?: 'v1' | 'v2';
  readonly connectTimeout?: string;
  readonly idleTimeout?: string;
  readonly maxConnections?: string;
  readonly quiet?: boolean;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

/** The config `porta forward` runs: one stream per listen address and protocol, targets merged. */
export function buildForwardConfig(mappings: readonly string[], flags: ForwardFlags): ConfigInput {
  if (mappings.length === 0) {
    throw new PortaError(
      'PORTA_USAGE',
      'porta forward needs a mapping, e.g. porta forward 8080:127.0.0.1:80',
    );
  }
  const pairs: PortMapping[] = [];
  for (const text of mappings) {
    try {
      pairs.push(...parsePortMapping(text));
    } catch (error) {
      throw new PortaError('PORTA_USAGE', error instanceof Error ? error.message : String(error));
    }
  }
  let maxConnections: number | undefined;
  if (flags.maxConnections !== undefined) {
    maxConnections = Number(flags.maxConnections);
    if (!Number.isInteger(maxConnections) || maxConnections < 1) {
      throw new PortaError(
        'PORTA_USAGE',
        `--max-connections "${flags.maxConnections}" is not a positive number`,
      );
    }
  }
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new PortaError('PORTA_USAGE', '--tls-cert and --tls-key go together');
  }
  const tls =
    flags.tlsCert === undefined || flags.tlsKey === undefined
      ? undefined
      : { cert: flags.tlsCert, key: flags.tlsKey };
  // The same listen address and protocol given twice means several targets, balanced.
  const byListen = new Map<string, { listen: string; protocol: 'tcp' | 'udp'; to: string[] }>();
  for (const pair of pairs) {
    const listen =
      pair.bindHost === undefined
        ? `:${pair.listenPort}`
        : formatHostPort(pair.bindHost, pair.listenPort);
    const key = `${pair.protocol} ${listen}`;
    const entry = byListen.get(key) ?? { listen, protocol: pair.protocol, to: [] };
    const target = formatHostPort(pair.targetHost, pair.targetPort);
    if (!entry.to.includes(target)) entry.to.push(target);
    byListen.set(key, entry);
  }
  const streams = [...byListen.values()].map((entry) => ({
    listen: [entry.listen],
    forward: {
      to: entry.to,
      ...(entry.protocol === 'udp' ? { protocol: 'udp' as const } : {}),
      ...(flags.balance === undefined ? {} : { balance: flags.balance }),
      ...(flags.proxyProtocol === undefined || entry.protocol === 'udp'
        ? {}
        : { proxy_protocol: flags.proxyProtocol }),
      ...(flags.connectTimeout === undefined ? {} : { connect_timeout: flags.connectTimeout }),
      ...(flags.idleTimeout === undefined
        ? {}
        : entry.protocol === 'udp'
          ? { session_timeout: flags.idleTimeout }
          : { idle_timeout: flags.idleTimeout }),
      ...(maxConnections === undefined ? {} : { max_connections: maxConnections }),
      ...(flags.quiet === true ? { log_connections: false } : {}),
      ...(tls === undefined || entry.protocol === 'udp' ? {} : { tls }),
    },
  }));
  return { streams, log: logSection(flags), ...workersSection(flags), ...adminSection(flags) };
}

export function addForwardCommand(
  program: Command,
  run: (config: ConfigInput) => Promise<void>,
  print: (config: ConfigInput) => void | Promise<void>,
): void {
  addCommonFlags(
    program
      .command('forward')
      .description(
        'forward ports like docker run -p: 8080:80, 127.0.0.1:8080:80, 8080:app:80, 8000-8010:9000-9010, 53:53/udp',
      )
      .argument('<mapping...>', '[BIND_IP:]LISTEN_PORT[-END]:[HOST:]TARGET_PORT[-END][/tcp|/udp]')
      .addOption(
        new Option('--balance <policy>', 'how a target is picked when a port has several').choices(
          BALANCE_NAMES,
        ),
      )
      .addOption(
        new Option(
          '--proxy-protocol <version>',
          'send a PROXY protocol header to targets (TCP)',
        ).choices(['v1', 'v2']),
      )
      .option('--connect-timeout <duration>', 'time to connect to a target (default 5s)')
      .option(
        '--idle-timeout <duration>',
        'close a connection (UDP: session) idle this long (default 10m; UDP 60s)',
      )
      .option('--max-connections <n>', 'open connections (UDP: sessions) per port')
      .option('--tls-cert <file>', 'terminate TLS on the TCP ports with this PEM certificate chain')
      .option('--tls-key <file>', 'the PEM private key of --tls-cert')
      .option('-q, --quiet', 'no log line per connection'),
    'auto',
  ).action(async (mappings: string[], flags: ForwardFlags) => {
    const config = buildForwardConfig(mappings, flags);
    if (flags.printConfig === true) await print(config);
    else await run(config);
  });
}
