// A validated `proxy:` section as the handler's ProxyOptions, and the upstream URL parser both use (no zod here: workers build plans without it).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PortaError } from '../errors.js';
import type { PeerSpec } from '../balance/peer-set.js';
import type { ProxyOptions } from '../handlers/proxy/index.js';
import type { ProxyConfig } from './proxy-schema.js';
import { parseDuration, parseSize } from './units.js';

/** "http(s)://host:port/base", "host:port" (http assumed); the parts porta uses, or an error text. */
export function parseUpstreamUrl(
  text: string,
): { host: string; port: number; path: string; secure: boolean } | string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return `"${text}" is not a URL like http://127.0.0.1:3000 or http://app:8080`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `"${text}": only http:// and https:// upstreams are supported (got ${url.protocol.slice(0, -1)})`;
  }
  const secure = url.protocol === 'https:';
  if (url.username !== '' || url.password !== '')
    return `"${text}": credentials in the URL are not supported`;
  if (url.search !== '' || url.hash !== '')
    return `"${text}": an upstream URL has no query or fragment`;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  // URL leaves out a scheme's default port, so an empty port means 80 or 443.
  return { host, port: url.port === '' ? (secure ? 443 : 80) : Number(url.port), path, secure };
}

/** Whether an upstream URL is https:// (the schema checks every upstream shares one scheme). */
export function isHttps(text: string): boolean {
  const parsed = parseUpstreamUrl(text);
  return typeof parsed !== 'string' && parsed.secure;
}

/** Reads and checks the CA file now, so `porta check` and reload name it when it is bad. */
function readCaFile(path: string, where: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new PortaError(
      'PORTA_CONFIG_INVALID',
      `${where}: cannot read the CA file ${path}: ${code}`,
    );
  }
  try {
    // Node ignores what is not PEM in a CA bundle: without this, every upstream would just fail later.
    new X509Certificate(pem);
  } catch {
    throw new PortaError(
      'PORTA_CONFIG_INVALID',
      `${where}: ${path} is not a PEM certificate (expected one or more -----BEGIN CERTIFICATE----- blocks)`,
    );
  }
  return pem;
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

/**
 * Turns a validated `proxy:` section into the handler's options; `where` (e.g.
 * "sites[0].routes[1].proxy") names it in errors about its files, relative to `baseDir`.
 */
export function proxyOptionsFromConfig(
  config: ProxyConfig,
  baseDir = process.cwd(),
  where = 'proxy',
): ProxyOptions {
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
  const tls = config.tls;
  // The schema has checked that every upstream shares one scheme.
  const secure = config.to.some((entry) => isHttps(typeof entry === 'string' ? entry : entry.url));
  return {
    upstreams,
    tls: secure
      ? {
          ca:
            tls?.ca === undefined ? null : readCaFile(resolve(baseDir, tls.ca), `${where}.tls.ca`),
          serverName: tls?.server_name ?? null,
          verify: !(tls?.insecure_skip_verify ?? false),
        }
      : null,
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
