// UDP forwards run in the cluster primary: a datagram socket shared by workers would split one
// client's session over several processes (and several source ports towards the target).
import type { Config, StreamConfig } from '../config/schema.js';

function isUdp(stream: StreamConfig): boolean {
  return stream.forward?.protocol === 'udp';
}

/** Whether every listener of the config is a UDP forward (nothing for workers to serve). */
export function hasOnlyUdp(config: Config): boolean {
  return config.sites.length === 0 && config.streams.length > 0 && config.streams.every(isUdp);
}

/** Whether the config has any UDP forward (the primary serves those itself). */
export function hasUdp(config: Config): boolean {
  return config.streams.some(isUdp);
}

/** What the workers serve: everything but the UDP forwards. */
export function withoutUdp(config: Config): Config {
  return { ...config, streams: config.streams.filter((stream) => !isUdp(stream)) };
}

/**
 * What the primary serves: the UDP forwards and the admin listener (no sites, so no handlers and
 * no access log).
 */
export function udpOnly(config: Config): Config {
  return {
    ...config,
    sites: [],
    streams: config.streams.filter(isUdp),
    log: { ...config.log, access: 'off' },
  };
}
