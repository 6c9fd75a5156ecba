// PROXY protocol headers (HAProxy's spec, versions 1 and 2): tell the target who the client really is.
import { isIPv4, isIPv6 } from 'node:net';

/** The v2 signature: \r\n\r\n\0\r\nQUIT\n (spec §2.2). */
const V2_SIGNATURE = Buffer.from([
  0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
]);

/** Both ends of the client's connection to us. */
export interface ConnectionEnds {
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly destinationAddress: string;
  readonly destinationPort: number;
}

/** ::ffff:a.b.c.d (a dual-stack socket's view of an IPv4 peer) as a.b.c.d. */
function unmap(address: string): string {
  if (address.toLowerCase().startsWith('::ffff:') && isIPv4(address.slice(7)))
    return address.slice(7);
  return address;
}

/** Both addresses in one family, or null when they cannot be (then the header says UNKNOWN/UNSPEC). */
function sameFamily(
  ends: ConnectionEnds,
): { family: 4 | 6; source: string; destination: string } | null {
  const source = unmap(ends.sourceAddress);
  const destination = unmap(ends.destinationAddress);
  if (isIPv4(source) && isIPv4(destination)) return { family: 4, source, destination };
  if (isIPv6(ends.sourceAddress) && isIPv6(ends.destinationAddress)) {
    return { family: 6, source: ends.sourceAddress, destination: ends.destinationAddress };
  }
  return null;
}

/** Spec §2.1: "PROXY TCP4 src dst sport dport\r\n", or "PROXY UNKNOWN\r\n". */
export function proxyHeaderV1(ends: ConnectionEnds): Buffer {
  const pair = sameFamily(ends);
  if (pair === null) return Buffer.from('PROXY UNKNOWN\r\n', 'latin1');
  return Buffer.from(
    `PROXY TCP${pair.family} ${pair.source} ${pair.destination} ${ends.sourcePort} ${ends.destinationPort}\r\n`,
    'latin1',
  );
}

/** Spec §2.2: signature, version 2 + PROXY command, TCP over IPv4/IPv6, addresses and ports. */
export function proxyHeaderV2(ends: ConnectionEnds, transport: 'tcp' | 'udp' = 'tcp'): Buffer {
  const pair = sameFamily(ends);
  if (pair === null) {
    // UNSPEC: the target must use the real connection endpoints; what we can say is "unknown".
    return Buffer.concat([V2_SIGNATURE, Buffer.from([0x21, 0x00, 0x00, 0x00])]);
  }
  const size = pair.family === 4 ? 4 : 16;
  const out = Buffer.alloc(16 + size * 2 + 4);
  V2_SIGNATURE.copy(out, 0);
  out[12] = 0x21; // version 2, command PROXY
  out[13] = (pair.family === 4 ? 0x10 : 0x20) | (transport === 'tcp' ? 0x01 : 0x02);
  out.writeUInt16BE(size * 2 + 4, 14);
  writeAddress(out, 16, pair.source, pair.family);
  writeAddress(out, 16 + size, pair.destination, pair.family);
  out.writeUInt16BE(ends.sourcePort, 16 + size * 2);
  out.writeUInt16BE(ends.destinationPort, 18 + size * 2);
  return out;
}

function writeAddress(out: Buffer, at: number, address: string, family: 4 | 6): void {
  if (family === 4) {
    const parts = address.split('.');
    for (let i = 0; i < 4; i++) out[at + i] = Number(parts[i]);
    return;
  }
  ipv6Bytes(address).copy(out, at);
}

/** An IPv6 literal (RFC 4291 §2.2: "::" runs, an IPv4 tail, a %zone ignored) as 16 bytes. */
export function ipv6Bytes(text: string): Buffer {
  const address = text.split('%')[0] as string;
  const out = Buffer.alloc(16);
  const [headText, tailText] = address.includes('::') ? address.split('::') : [address, null];
  const groups = (part: string | null | undefined): number[] => {
    if (part === null || part === undefined || part === '') return [];
    const out16: number[] = [];
    for (const piece of part.split(':')) {
      if (isIPv4(piece)) {
        const [a, b, c, d] = piece.split('.').map(Number) as [number, number, number, number];
        out16.push((a << 8) | b, (c << 8) | d);
      } else {
        out16.push(Number.parseInt(piece, 16));
      }
    }
    return out16;
  };
  const head = groups(headText);
  const tail = groups(tailText);
  const all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  all.forEach((group, i) => out.writeUInt16BE(group, i * 2));
  return out;
}
