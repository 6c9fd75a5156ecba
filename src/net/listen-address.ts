// Listen addresses as users type them ("8080", "127.0.0.1:8080", "[::1]:8080"), and the URLs we print for them.
import { isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { PortaError } from '../errors.js';

/** Where to bind: parsed once from config or argv, then handed to `listen()`. */
export interface ListenAddress {
  /** IP literal or host name; undefined means every interface (Node's default: dual-stack `::`, else `0.0.0.0`). */
  readonly host: string | undefined;
  /** 0..65535; 0 lets the kernel pick a free port. */
  readonly port: number;
  /** Canonical form for messages: `127.0.0.1:8080`, `[::1]:8080`, `*:8080`. */
  readonly text: string;
}

/** One address of one network interface of this machine. */
export interface LocalAddress {
  readonly family: 'IPv4' | 'IPv6';
  readonly address: string;
  /** Loopback (127.0.0.1, ::1). */
  readonly internal: boolean;
  /** Interface name: lo, eth0, en0. */
  readonly interfaceName: string;
}

const EXAMPLES = 'expected a port like 8080, or host:port like 127.0.0.1:8080 or [::1]:8080';

/** Parses `8080`, `:8080`, `*:8080`, `0.0.0.0:8080`, `[::]:8080`, `[::1]:8080`, `localhost:8080`. */
export function parseListenAddress(input: string): ListenAddress {
  const trimmed = input.trim();
  if (trimmed === '') {
    throw invalid(`listen address is empty: ${EXAMPLES}`);
  }
  if (trimmed.startsWith('[')) {
    return parseBracketed(input, trimmed);
  }
  const colon = trimmed.lastIndexOf(':');
  if (colon === -1) {
    // A bare port. A bare host ("localhost") is a common slip: say the port is missing.
    if (!isAllDigits(trimmed) && looksLikeHost(trimmed)) {
      throw invalid(
        `listen address "${input}" has no port: ${EXAMPLES} (did you mean ${trimmed}:8080?)`,
      );
    }
    return build(undefined, parsePort(input, trimmed));
  }
  const hostPart = trimmed.slice(0, colon);
  if (hostPart.includes(':')) {
    // Two or more colons without brackets: an IPv6 literal whose port we cannot tell apart.
    throw invalid(
      `listen address "${input}": IPv6 addresses need brackets, e.g. [::1]:8080 or [::]:8080`,
    );
  }
  const port = parsePort(input, trimmed.slice(colon + 1));
  if (hostPart === '' || hostPart === '*') {
    return build(undefined, port);
  }
  return build(parseHost(input, hostPart), port);
}

/** `[v6]:port`: RFC 3986 §3.2.2 brackets, the form URLs use too. */
function parseBracketed(input: string, trimmed: string): ListenAddress {
  const close = trimmed.indexOf(']');
  if (close === -1) {
    throw invalid(`listen address "${input}": missing "]" after the IPv6 address, e.g. [::1]:8080`);
  }
  const host = trimmed.slice(1, close);
  const rest = trimmed.slice(close + 1);
  if (!isIPv6(host)) {
    throw invalid(
      `listen address "${input}": "${host}" inside the brackets is not an IPv6 address, e.g. [::1]:8080`,
    );
  }
  if (rest === '') {
    throw invalid(`listen address "${input}" has no port: write [${host}]:8080`);
  }
  if (!rest.startsWith(':')) {
    throw invalid(`listen address "${input}": expected ":port" after "]", e.g. [${host}]:8080`);
  }
  return build(host, parsePort(input, rest.slice(1)));
}

/** An IPv4 literal or a DNS name (RFC 1123 §2.1 labels); IPv6 must come in brackets. */
function parseHost(input: string, host: string): string {
  if (isIPv4(host)) {
    return host;
  }
  if (isDigitsAndDots(host)) {
    throw invalid(`listen address "${input}": "${host}" is not a valid IPv4 address`);
  }
  if (!isHostName(host)) {
    throw invalid(
      `listen address "${input}": "${host}" is not an IP address or host name (letters, digits, "-" and ".")`,
    );
  }
  return host.toLowerCase();
}

/** Decimal digits only: no sign, no spaces, no "0x", no fraction. */
function parsePort(input: string, text: string): number {
  if (text === '') {
    throw invalid(`listen address "${input}" has no port after ":": ${EXAMPLES}`);
  }
  if (!isAllDigits(text)) {
    throw invalid(`listen address "${input}": port "${text}" is not a number (0-65535)`);
  }
  const port = Number(text);
  if (port > 65535) {
    throw invalid(
      `listen address "${input}": port ${text} is outside 0-65535 (0 picks any free port)`,
    );
  }
  return port;
}

function build(host: string | undefined, port: number): ListenAddress {
  return { host, port, text: formatHostPort(host ?? '*', port) };
}

function invalid(message: string): PortaError {
  return new PortaError('PORTA_ADDRESS_INVALID', message);
}

function isAllDigits(text: string): boolean {
  if (text === '') return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function isDigitsAndDots(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x2e && (c < 0x30 || c > 0x39)) return false;
  }
  return true;
}

/** RFC 1123 §2.1: labels of 1-63 letters, digits and hyphens, no hyphen at either end; 253 chars in all. */
function isHostName(text: string): boolean {
  if (text.length > 253) return false;
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  for (const label of name.split('.')) {
    if (label === '' || label.length > 63 || label.startsWith('-') || label.endsWith('-')) {
      return false;
    }
    for (let i = 0; i < label.length; i++) {
      const c = label.charCodeAt(i);
      const lower = c | 0x20; // ASCII letters differ in case by this one bit
      const ok = (lower >= 0x61 && lower <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d;
      if (!ok) return false;
    }
  }
  return true;
}

function looksLikeHost(text: string): boolean {
  return isIPv4(text) || isHostName(text);
}

/**
 * `host:port` for messages and logs: IPv6 in brackets, IPv4-mapped IPv6 (`::ffff:1.2.3.4`,
 * what a dual-stack socket reports for IPv4 peers) shown as plain IPv4.
 */
export function formatHostPort(host: string, port: number): string {
  const shown = unmapIPv4(host);
  return shown.includes(':') ? `[${shown}]:${port}` : `${shown}:${port}`;
}

/**
 * `scheme://host:port` with IPv6 in brackets (RFC 3986 §3.2.2) and a zone id escaped as `%25`
 * (RFC 6874). An undefined host (all interfaces) prints as localhost.
 */
export function formatUrl(scheme: string, host: string | undefined, port: number): string {
  const shown = unmapIPv4(host ?? 'localhost');
  const authority = shown.includes(':') ? `[${shown.replace('%', '%25')}]` : shown;
  return `${scheme}://${authority}:${port}`;
}

function unmapIPv4(host: string): string {
  const mapped = host.length > 7 && host.slice(0, 7).toLowerCase() === '::ffff:';
  return mapped && isIPv4(host.slice(7)) ? host.slice(7) : host;
}

/**
 * This machine's interface addresses, loopback first, for printing every URL a wildcard bind
 * serves. IPv6 link-local (fe80::/10) is left out: its URLs need a zone id browsers reject.
 */
export function localAddresses(): LocalAddress[] {
  const out: LocalAddress[] = [];
  for (const [interfaceName, infos] of Object.entries(networkInterfaces())) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv6' && info.address.toLowerCase().startsWith('fe80:')) continue;
      out.push({
        family: info.family,
        address: info.address,
        internal: info.internal,
        interfaceName,
      });
    }
  }
  // Stable order: loopback first, then IPv4 before IPv6, then interface order as the OS gave it.
  return out
    .map((entry, index) => ({ entry, index }))
    .sort(
      (a, b) =>
        Number(b.entry.internal) - Number(a.entry.internal) ||
        Number(a.entry.family === 'IPv6') - Number(b.entry.family === 'IPv6') ||
        a.index - b.index,
    )
    .map(({ entry }) => entry);
}

/**
 * The hosts a bound address answers on: a wildcard expands to this machine's addresses
 * (`0.0.0.0` to IPv4 only; `::` and undefined to both, as Node binds them dual-stack).
 */
export function reachableHosts(boundHost: string | undefined): string[] {
  if (boundHost === '0.0.0.0') {
    return localAddresses()
      .filter((a) => a.family === 'IPv4')
      .map((a) => a.address);
  }
  if (boundHost === undefined || boundHost === '::') {
    return localAddresses().map((a) => a.address);
  }
  return [boundHost];
}
