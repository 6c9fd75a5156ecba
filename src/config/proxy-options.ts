// A validated `proxy:` section as the handler's ProxyOptions, and the upstream URL parser both use (no zod here: workers build plans without it).
import type { PeerSpec } from '../balance/peer-set.js';
import type { ProxyOptions } from '../handlers/proxy/index.js';
import type { ProxyConfig } from './proxy-schema.js';
import { parseDuration, parseSize } from './units.js';

/** "http://host:port/base", "host:port" (http assumed); the parts porta uses, or an error text. */
export function parseUpstreamUrl(
  text: string,
): { host: string; port: number; path: string } | string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return `"${text}" is not a URL like http://127.0.0.1:3000 or http://app:8080`;
  }
  if (url.protocol !== 'http:') {
    return `"${text}": only http:// upstreams are supported (got ${url.protocol.slice(0, -1)})`;
  }
  if (url.username !== '' || url.password !== '')
    return `"${text}": credentials in the URL are not supported`;
  if (url.search !== '' || url.hash !== '')
    return `"${text}": an upstream URL has no query or fragment`;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return { host, port: url.port === '' ? 80 : Number(url.port), path };
}

/** "2xx" -> [200, 299], "200-399" -> [200, 399], "204" -> [204, 204]. */
function statusRange(text: string): [number, number] {
  if (text.endsWith('xx')) {
    const base = Number(text[0]) * 100;
    return [base, base + 99];
  }
  const dash = text.indexOf('-');
  if (dash < 0) return [Number(text), Number(text)];
  return [Number(text.slice(0, dash)), Number(text.slice(dash + 1))];
}

/** Turns a validated `proxy:` section into the handler's options. */
export function proxyOptionsFromConfig(config: ProxyConfig): ProxyOptions {
  let basePath = '';
  const upstreams: PeerSpec[] = config.to.map((entry) => {
    const text = typeof entry === 'string' ? entry : entry.url;
    const parsed = parseUpstreamUrl(text);
    if (typeof parsed === 'string') throw new Error(parsed); // the schema has checked it already
    basePath = parsed.path;
    return {
      host: parsed.host,
      port: parsed.port,
      weight: typeof entry === 'string' ? 1 : entry.weight,
      label: text,
    };
  });
  const host = config.host_header;
  const [statusMin, statusMax] = statusRange(config.health?.expect_status ?? '200-399');
  return {
    upstreams,
    basePath,
    balance: config.balance,
    hashHeader: (config.hash_header ?? '').toLowerCase(),
    stripPrefix: config.strip_prefix ?? '',
    hostHeader:
      host === 'preserve' || host === 'upstream' ? { kind: host } : { kind: 'fixed', value: host },
    trustedProxies: config.trusted_proxies,
    forwardedHeaders: config.forwarded_headers,
    via: config.via === false ? '' : config.via,
    underscoresInHeaders: config.underscores_in_headers,
    connectTimeoutMs: parseDuration(config.timeouts.connect),
    headerTimeoutMs: parseDuration(config.timeouts.header),
    idleTimeoutMs: parseDuration(config.timeouts.idle),
    keepAliveMs: parseDuration(config.timeouts.keepalive),
    tunnelIdleTimeoutMs: parseDuration(config.timeouts.tunnel_idle),
    maxIdlePerUpstream: config.max_idle,
    maxHeaderSize: 64 * 1024,
    retries: config.retries,
    retryBodyLimit: parseSize(config.retry_body_limit),
    passive: {
      maxFails: config.passive_health.max_fails,
      failTimeoutMs: parseDuration(config.passive_health.fail_timeout),
    },
    health:
      config.health === undefined
        ? null
        : {
            path: config.health.path,
            intervalMs: parseDuration(config.health.interval),
            timeoutMs: parseDuration(config.health.timeout),
            passes: config.health.passes,
            fails: config.health.fails,
            statusMin,
            statusMax,
          },
    resolveIntervalMs: parseDuration(config.resolve_interval),
  };
}
