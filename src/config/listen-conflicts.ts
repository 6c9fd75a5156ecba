// Finds listen addresses that cannot work before anything binds: malformed ones, and ones that clash (same port twice, a host name served twice).
import { isIPv4, isIPv6 } from 'node:net';
import { isPortaError } from '../errors.js';
import { type ListenAddress, parseListenAddress } from '../net/listen-address.js';
import { formatKeyPath } from './config-error.js';
import type { IssueProblem } from './issue-messages.js';

/** One `listen:` entry of a site or a stream. */
interface ListenEntry {
  readonly path: readonly PropertyKey[];
  /** "sites[1]" or "streams[0]", for messages. */
  readonly owner: string;
  readonly ownerPath: readonly PropertyKey[];
  /** UDP forwards bind datagram sockets: they never clash with TCP listeners on the same port. */
  readonly kind: 'http' | 'tcp' | 'udp';
  readonly text: string;
  /** Host names of the site (lower case); empty for a default site or a stream. */
  readonly hosts: readonly unknown[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The listen entries of a config tree, validated or not (entries that are not text are skipped). */
function listenEntries(tree: unknown): ListenEntry[] {
  const entries: ListenEntry[] = [];
  if (!isRecord(tree)) return entries;
  for (const [section, kind] of [
    ['sites', 'http'],
    ['streams', 'tcp'],
  ] as const) {
    const list = tree[section];
    if (!Array.isArray(list)) continue;
    list.forEach((item: unknown, index) => {
      if (!isRecord(item) || !Array.isArray(item.listen)) return;
      const hosts = kind === 'http' && Array.isArray(item.hosts) ? (item.hosts as unknown[]) : [];
      const udp = isRecord(item.forward) && item.forward.protocol === 'udp';
      item.listen.forEach((text: unknown, i) => {
        if (typeof text !== 'string') return;
        entries.push({
          path: [section, index, 'listen', i],
          owner: `${section}[${index}]`,
          ownerPath: [section, index],
          kind: udp ? 'udp' : kind,
          text,
          hosts,
        });
      });
    });
  }
  return entries;
}

/** Which families a bound address covers; null for a host name (resolved at bind time). */
function families(address: ListenAddress): { v4: boolean; v6: boolean; wildcard: boolean } | null {
  const host = address.host;
  // Node binds no host and "::" dual-stack, so they take the port on IPv4 too.
  if (host === undefined || host === '::') return { v4: true, v6: true, wildcard: true };
  if (host === '0.0.0.0') return { v4: true, v6: false, wildcard: true };
  if (isIPv4(host)) return { v4: true, v6: false, wildcard: false };
  if (isIPv6(host)) return { v4: false, v6: true, wildcard: false };
  return null;
}

/** Two different addresses on one port that the kernel will not both bind (a wildcard overlaps). */
function overlaps(a: ListenAddress, b: ListenAddress): boolean {
  if (a.port !== b.port || a.text === b.text) return false;
  const fa = families(a);
  const fb = families(b);
  if (fa === null || fb === null || (!fa.wildcard && !fb.wildcard)) return false;
  return (fa.v4 && fb.v4) || (fa.v6 && fb.v6);
}

interface Parsed {
  readonly entry: ListenEntry;
  readonly address: ListenAddress;
}

/** Malformed addresses, each with the parser's own explanation. */
function parseAll(entries: readonly ListenEntry[], problems: IssueProblem[]): Parsed[] {
  const parsed: Parsed[] = [];
  for (const entry of entries) {
    try {
      parsed.push({ entry, address: parseListenAddress(entry.text) });
    } catch (error) {
      if (!isPortaError(error)) throw error;
      problems.push({ path: entry.path, message: error.message });
    }
  }
  return parsed;
}

/** Same address twice in one place, one address for two protocols, overlapping wildcards. */
function addressClashes(parsed: readonly Parsed[], problems: IssueProblem[]): void {
  // Only entries without a problem go here, so one bad entry is reported once, not by every later one.
  const seen: Parsed[] = [];
  for (const current of parsed) {
    if (current.address.port === 0) continue; // the kernel picks a new port for each
    const clash = findClash(seen, current);
    if (clash === null) seen.push(current);
    else problems.push({ path: current.entry.path, message: clash });
  }
}

function findClash(seen: readonly Parsed[], { entry, address }: Parsed): string | null {
  for (const earlier of seen) {
    const first = earlier.entry;
    if ((first.kind === 'udp') !== (entry.kind === 'udp')) continue; // different socket types
    const where = formatKeyPath(first.path);
    if (earlier.address.text === address.text) {
      if (first.owner === entry.owner) return `${address.text} is listed twice (also ${where})`;
      if (first.kind !== entry.kind) {
        const what = first.kind === 'http' ? 'an HTTP' : 'a stream';
        return `${address.text} is already ${what} listener (${where}); one address, one protocol`;
      }
      if (entry.kind !== 'http') return `${address.text} is already used by ${where}`;
      // Two sites on one HTTP address are virtual hosts: hostClashes checks their names.
    } else if (overlaps(earlier.address, address)) {
      return `${address.text} overlaps ${earlier.address.text} (${where}): the two cannot both bind port ${address.port}; use one address for both`;
    }
  }
  return null;
}

/** A host name (or the default site) claimed by two sites on one HTTP address: the second never answers. */
function hostClashes(parsed: readonly Parsed[], problems: IssueProblem[]): void {
  const byAddress = new Map<string, Parsed[]>();
  for (const p of parsed) {
    if (p.entry.kind !== 'http' || p.address.port === 0) continue;
    const group = byAddress.get(p.address.text) ?? [];
    if (!group.some((g) => g.entry.owner === p.entry.owner)) group.push(p);
    byAddress.set(p.address.text, group);
  }
  const reported = new Set<string>();
  for (const [text, group] of byAddress) {
    const owners = new Map<string, string>();
    for (const { entry } of group) {
      const names = entry.hosts.filter((h): h is string => typeof h === 'string');
      if (names.length === 0) {
        const first = owners.get('');
        if (first !== undefined && !reported.has(`${entry.owner}\0`)) {
          reported.add(`${entry.owner}\0`);
          problems.push({
            path: entry.ownerPath,
            message: `a second default site on ${text} (${first} has no hosts either), so this one would never answer; name its host names under \`hosts:\``,
          });
        }
        owners.set('', first ?? entry.owner);
      }
      names.forEach((name, i) => {
        const key = name.toLowerCase();
        const first = owners.get(key);
        if (
          first !== undefined &&
          first !== entry.owner &&
          !reported.has(`${entry.owner}\0${key}`)
        ) {
          reported.add(`${entry.owner}\0${key}`);
          problems.push({
            path: [...entry.ownerPath, 'hosts', i],
            message: `"${name}" on ${text} is already served by ${first}, so this site would never see it`,
          });
        }
        if (first === undefined) owners.set(key, entry.owner);
      });
    }
  }
}

/**
 * Problems with the listen addresses of a config tree. Malformed addresses are always
 * reported; clashes only when `complete` (the tree passed the schema, defaults filled in).
 */
export function listenProblems(tree: unknown, complete: boolean): IssueProblem[] {
  const problems: IssueProblem[] = [];
  const parsed = parseAll(listenEntries(tree), problems);
  if (complete && problems.length === 0) {
    addressClashes(parsed, problems);
    hostClashes(parsed, problems);
  }
  return problems;
}
