// IP addresses and CIDR blocks as numbers: IPv4 lives inside IPv6 as ::ffff:a.b.c.d (RFC 4291 §2.5.5.2).

/** A CIDR block: its network as four 32-bit words of an IPv6 address, and the matching mask. */
export interface CidrBlock {
  /** As written in the config, for messages. */
  readonly text: string;
  /** Prefix length over the 128-bit form (an IPv4 /8 is /104 here). */
  readonly prefix: number;
  /** Network words, already masked. */
  readonly network: Uint32Array;
  readonly mask: Uint32Array;
}

const DOT = 0x2e;
const COLON = 0x3a;

/** Groups of the address being parsed (one thread, so one scratch array is enough). */
const groups = new Uint16Array(8);

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

/** Dotted-quad IPv4 in text[start, end) as an unsigned 32-bit number, or -1 (no leading zeros). */
function parseIpv4(text: string, start: number, end: number): number {
  let value = 0;
  let parts = 0;
  let i = start;
  while (parts < 4) {
    let octet = 0;
    let digits = 0;
    const first = i;
    while (i < end) {
      const code = text.charCodeAt(i);
      if (code < 0x30 || code > 0x39) break;
      octet = octet * 10 + (code - 0x30);
      digits++;
      i++;
    }
    // Leading zeros read as octal in some tools ("010" = 8): refuse rather than guess.
    if (digits === 0 || digits > 3 || octet > 255) return -1;
    if (digits > 1 && text.charCodeAt(first) === 0x30) return -1;
    value = value * 256 + octet;
    parts++;
    if (parts < 4) {
      if (i >= end || text.charCodeAt(i) !== DOT) return -1;
      i++;
    }
  }
  return i === end ? value : -1;
}

/** RFC 4291 §2.2 text forms in text[start, end) into `groups`; false when malformed. */
function parseIpv6(text: string, start: number, end: number): boolean {
  let count = 0;
  let gap = -1;
  let i = start;
  if (end - start < 2) return false;
  if (text.charCodeAt(i) === COLON) {
    if (text.charCodeAt(i + 1) !== COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    const groupStart = i;
    let value = 0;
    let digits = 0;
    while (i < end) {
      const digit = hexValue(text.charCodeAt(i));
      if (digit < 0) break;
      value = value * 16 + digit;
      if (++digits > 4) return false;
      i++;
    }
    if (i < end && text.charCodeAt(i) === DOT) {
      // §2.2 form 3: the last 32 bits as an IPv4 address.
      const v4 = count <= 6 ? parseIpv4(text, groupStart, end) : -1;
      if (v4 < 0) return false;
      groups[count++] = Math.floor(v4 / 65536);
      groups[count++] = v4 % 65536;
      i = end;
      break;
    }
    if (digits === 0 || count === 8) return false;
    groups[count++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < end && text.charCodeAt(i) === COLON) {
      if (gap >= 0) return false; // "::" at most once
      gap = count;
      i++;
    } else if (i === end) {
      return false; // a trailing single colon
    }
  }
  if (gap < 0) return count === 8;
  if (count > 7) return false;
  // Move the groups after "::" to the end and zero the gap.
  const tail = count - gap;
  for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k] as number;
  for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  return true;
}

/**
 * Parses an IPv4 or IPv6 address (a zone like "%eth0" is ignored) into `out` as four 32-bit words;
 * IPv4 becomes ::ffff:a.b.c.d. False when the text is not an address. Allocates nothing.
 */
export function parseIpAddress(text: string, out: Uint32Array): boolean {
  let end = text.indexOf('%');
  if (end < 0) end = text.length;
  let colon = false;
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === COLON) {
      colon = true;
      break;
    }
  }
  if (!colon) {
    const v4 = parseIpv4(text, 0, end);
    if (v4 < 0) return false;
    out[0] = 0;
    out[1] = 0;
    out[2] = 0xffff;
    out[3] = v4;
    return true;
  }
  if (!parseIpv6(text, 0, end)) return false;
  for (let w = 0; w < 4; w++) {
    out[w] = (groups[2 * w] as number) * 65536 + (groups[2 * w + 1] as number);
  }
  return true;
}

/** Whether `address` (four words from parseIpAddress) lies in `block`. */
export function isInBlock(address: Uint32Array, block: CidrBlock): boolean {
  const network = block.network;
  const mask = block.mask;
  for (let w = 0; w < 4; w++) {
    if (((address[w] as number) & (mask[w] as number)) >>> 0 !== network[w]) return false;
  }
  return true;
}

/**
 * Parses "10.0.0.0/8", "2001:db8::/32", a single address ("192.0.2.7" = /32, "::1" = /128), or
 * "all" (every address). Throws an Error whose message tells what is wrong.
 */
export function parseCidr(text: string): CidrBlock {
  const trimmed = text.trim();
  if (trimmed === 'all') return makeBlock(text, new Uint32Array(4), 0);
  const slash = trimmed.indexOf('/');
  const addressText = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const address = new Uint32Array(4);
  if (addressText.includes('%') || !parseIpAddress(addressText, address)) {
    throw new Error(`expected an IPv4 or IPv6 address or CIDR like 10.0.0.0/8, got "${text}"`);
  }
  const isV4 = !addressText.includes(':');
  const max = isV4 ? 32 : 128;
  let length = max;
  if (slash >= 0) {
    const prefixText = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
      throw new Error(`expected a prefix length 0-${max} after "/", got "${text}"`);
    }
    length = Number(prefixText);
  }
  const prefix = isV4 ? 96 + length : length;
  const block = makeBlock(text, address, prefix);
  if (!sameWords(address, block.network)) {
    throw new Error(
      `expected the block's own address ${formatNetwork(block, isV4, length)} (no bits set after the /${length} prefix), got "${text}"`,
    );
  }
  return block;
}

function makeBlock(text: string, address: Uint32Array, prefix: number): CidrBlock {
  const mask = new Uint32Array(4);
  const network = new Uint32Array(4);
  for (let w = 0; w < 4; w++) {
    const bits = Math.min(32, Math.max(0, prefix - 32 * w));
    mask[w] = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    network[w] = ((address[w] as number) & (mask[w] as number)) >>> 0;
  }
  return { text, prefix, network, mask };
}

function sameWords(a: Uint32Array, b: Uint32Array): boolean {
  for (let w = 0; w < 4; w++) if (a[w] !== b[w]) return false;
  return true;
}

function formatNetwork(block: CidrBlock, isV4: boolean, length: number): string {
  const words = block.network;
  if (isV4) {
    const v4 = words[3] as number;
    return `${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.${v4 & 255}/${length}`;
  }
  const parts: string[] = [];
  for (const word of words) parts.push((word >>> 16).toString(16), (word & 0xffff).toString(16));
  return `${parts.join(':')}/${length}`;
}
