// Builds the request head sent upstream: path rewrite, hop-by-hop fields dropped, Host, forwarding fields, Via, framing.
import type { Exchange } from '../../http/exchange.js';
import { BodyKind } from '../../http/request-head.js';
import {
  FieldRole,
  connectionField,
  connectionListedNames,
  dropsUnderscoreName,
  fieldRole,
} from './field-names.js';
import { type TrustedProxies, forwardedNode, forwardedValue } from './forwarding.js';
import type { HostHeaderPolicy } from './options.js';

/** What the head builder needs, compiled once per handler. */
export interface HeadPolicy {
  readonly trusted: TrustedProxies;
  readonly forwardedHeaders: boolean;
  /** " porta" (with its leading space) or "" for no Via. */
  readonly via: string;
  readonly hostHeader: HostHeaderPolicy;
  readonly basePath: string;
  readonly stripPrefix: string;
  /** Pass field names with "_" on (nginx's underscores_in_headers); framing look-alikes never are. */
  readonly underscores: boolean;
}

/** The path and query sent upstream: prefix stripped, base path put in front (RFC 9112 §3.2.1 origin-form). */
export function upstreamTarget(exchange: Exchange, policy: HeadPolicy): string {
  const request = exchange.request;
  if (request.path === '*') return '*'; // RFC 9112 §3.2.4: OPTIONS * stays asterisk-form
  let path = exchange.path;
  const strip = policy.stripPrefix;
  if (strip !== '' && path.startsWith(strip)) {
    const rest = path.slice(strip.length);
    if (rest === '') path = '/';
    else if (rest.charCodeAt(0) === 0x2f) path = rest;
    else if (strip.endsWith('/')) path = `/${rest}`;
  }
  if (policy.basePath !== '') path = policy.basePath + (path === '/' ? '' : path);
  if (path === '') path = '/';
  return path + request.query;
}

/**
 * The whole head as one latin1 string. `upstreamHost` is "host:port" of the chosen upstream
 * (for host_header: upstream); `upgrade` adds Connection/Upgrade for a tunnel.
 */
export function buildRequestHead(
  exchange: Exchange,
  target: string,
  policy: HeadPolicy,
  upstreamHost: string,
  upgrade: boolean,
): string {
  const request = exchange.request;
  const headers = request.headers;
  const listed = connectionListedNames(connectionField(headers));
  const forwarding = policy.forwardedHeaders;
  const trusted = forwarding && policy.trusted.has(exchange.remoteAddress);
  let head = `${request.method} ${target} HTTP/1.1\r\n`;
  let xff = '';
  let xfProto = '';
  let xfHost = '';
  let forwarded = '';
  let via = '';
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    const value = headers[i + 1] as string;
    if (dropsUnderscoreName(name, policy.underscores)) continue;
    switch (fieldRole(name)) {
      case FieldRole.Other:
      case FieldRole.Date:
      case FieldRole.Server:
        if (listed !== null && listed.includes(name.toLowerCase())) continue;
        head += `${name}: ${value}\r\n`;
        continue;
      case FieldRole.Via:
        via = via === '' ? value : `${via}, ${value}`;
        continue;
      case FieldRole.XForwardedFor:
      case FieldRole.XForwardedProto:
      case FieldRole.XForwardedHost:
      case FieldRole.Forwarded:
        if (!forwarding) {
          head += `${name}: ${value}\r\n`; // not our business: pass through untouched
        } else if (trusted) {
          // Only a trusted proxy's values are kept, and ours appended (Caddy's trusted_proxies).
          const role = fieldRole(name);
          if (role === FieldRole.XForwardedFor) xff = xff === '' ? value : `${xff}, ${value}`;
          else if (role === FieldRole.XForwardedProto) xfProto ||= value;
          else if (role === FieldRole.XForwardedHost) xfHost ||= value;
          else forwarded = forwarded === '' ? value : `${forwarded}, ${value}`;
        }
        continue;
      default:
        // Hop-by-hop, framing, Host and Expect are rewritten below or dropped.
        continue;
    }
  }
  const host =
    policy.hostHeader.kind === 'preserve'
      ? request.host || upstreamHost
      : policy.hostHeader.kind === 'upstream'
        ? upstreamHost
        : policy.hostHeader.value;
  head += `Host: ${host}\r\n`;
  if (forwarding) {
    const client = exchange.remoteAddress; // IPv4 form already (the engine unmaps once per connection)
    head += `X-Forwarded-For: ${xff === '' ? client : `${xff}, ${client}`}\r\n`;
    const proto = exchange.secure ? 'https' : 'http';
    head += `X-Forwarded-Proto: ${xfProto || proto}\r\n`;
    if (xfHost !== '' || request.host !== '') {
      head += `X-Forwarded-Host: ${xfHost || request.host}\r\n`;
    }
    let element = `for=${forwardedNode(client)}`;
    if (request.host !== '') element += `;host=${forwardedValue(request.host)}`;
    element += exchange.secure ? ';proto=https' : ';proto=http';
    head += `Forwarded: ${forwarded === '' ? element : `${forwarded}, ${element}`}\r\n`;
  }
  if (policy.via !== '') {
    // RFC 9110 §7.6.3: received-protocol, then our pseudonym.
    const hop = `${request.versionMajor}.${request.versionMinor}${policy.via}`;
    head += `Via: ${via === '' ? hop : `${via}, ${hop}`}\r\n`;
  }
  if (upgrade) {
    head += `Connection: upgrade\r\nUpgrade: ${request.upgrade}\r\n`;
  } else if (request.bodyKind === BodyKind.ContentLength) {
    head += `Content-Length: ${request.contentLength}\r\n`;
  } else if (request.bodyKind === BodyKind.Chunked) {
    head += 'Transfer-Encoding: chunked\r\n';
  }
  return `${head}\r\n`;
}
