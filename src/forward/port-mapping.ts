// Parses docker's -p spellings ("8080:80", "127.0.0.1:8080:80", "8080:app:80", "8000-8010:9000-9010/udp") into port pairs.
import { isIPv4, isIPv6 } from 'node:net';

export interface PortMapping {
  /** Address to bind; undefined = every interface. */
  readonly bindHost: string | undefined;
  readonly listenPort: number;
  readonly targetHost: string;
  readonly targetPort: number;
  readonly protocol: 'tcp' | 'udp';
}

const FORMS =
  'expected LISTEN:TARGET_PORT, LISTEN:HOST:TARGET_PORT, BIND_IP:LISTEN:TARGET_PORT or ' +
  'BIND_IP:LISTEN:HOST:TARGET_PORT, ports or ranges like 8000-8010, optionally /tcp or /udp';

/** Splits on ":" outside [brackets]. */
function splitParts(text: string): string[] | null {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  for (const c of text) {
    if (c === '[') depth++;
    else if (c === ']') depth--;
    if (depth < 0) return null;
    if (c === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (depth !== 0) return null;
  parts.push(current);
  return parts;
}

/** "8080" -> [8080, 8080], "8000-8010" -> [8000, 8010]; null when not a port or range. */
function parsePorts(text: string, allowZero = false): [number, number] | null {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (match === null) return null;
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  // Port 0 (any free port, for tests and scripts) only as a single listen port.
  if (first === 0 && allowZero && match[2] === undefined) return [0, 0];
  if (first < 1 || last > 65535 || last < first) return null;
  return [first, last];
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function isHostName(text: string): boolean {
  return /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i.test(
    text,
  );
}

/**
 * Parses one mapping into one pair per port (ranges expand). Throws an Error whose message says
 * what is wrong with the spelling.
 */
export function parsePortMapping(input: string, defaultTargetHost = '127.0.0.1'): PortMapping[] {
  let text = input.trim();
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = text.lastIndexOf('/');
  if (slash >= 0) {
    const suffix = text.slice(slash + 1).toLowerCase();
    if (suffix !== 'tcp' && suffix !== 'udp') {
      throw new Error(`"${input}": unknown protocol "/${suffix}"; use /tcp or /udp`);
    }
    protocol = suffix;
    text = text.slice(0, slash);
  }
  const parts = splitParts(text);
  if (parts === null || parts.length < 2 || parts.length > 4)
    throw new Error(`"${input}": ${FORMS}`);
  let bind: string | undefined;
  let listen: string;
  let host = defaultTargetHost;
  let target: string;
  if (parts.length === 2) {
    [listen, target] = parts as [string, string];
  } else if (parts.length === 4) {
    [bind, listen, host, target] = parts as [string, string, string, string];
  } else if (
    parsePorts(parts[1] as string, true) !== null &&
    parsePorts(parts[0] as string, true) === null
  ) {
    [bind, listen, target] = parts as [string, string, string]; // 127.0.0.1:8080:80
  } else {
    [listen, host, target] = parts as [string, string, string]; // 8080:127.0.0.1:80
  }
  if (bind !== undefined) {
    bind = unbracket(bind);
    if (bind === '' || bind === '*') bind = undefined;
    else if (!isIPv4(bind) && !isIPv6(bind)) {
      throw new Error(
        `"${input}": "${bind}" is not an IP address to bind (IPv6 in brackets: [::1])`,
      );
    }
  }
  host = unbracket(host);
  if (!isIPv4(host) && !isIPv6(host) && !isHostName(host)) {
    throw new Error(`"${input}": "${host}" is not a target host (IP address or DNS name)`);
  }
  const listenPorts = parsePorts(listen, true);
  const targetPorts = parsePorts(target);
  if (listenPorts === null)
    throw new Error(`"${input}": "${listen}" is not a port (1-65535) or range`);
  if (targetPorts === null)
    throw new Error(`"${input}": "${target}" is not a port (1-65535) or range`);
  const count = listenPorts[1] - listenPorts[0] + 1;
  const targetCount = targetPorts[1] - targetPorts[0] + 1;
  if (targetCount !== 1 && targetCount !== count) {
    throw new Error(
      `"${input}": ${count} listen port(s) but ${targetCount} target ports; give ranges of the same length, or one target port`,
    );
  }
  const out: PortMapping[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      bindHost: bind,
      listenPort: listenPorts[0] + i,
      targetHost: host,
      targetPort: targetCount === 1 ? targetPorts[0] : targetPorts[0] + i,
      protocol,
    });
  }
  return out;
}
