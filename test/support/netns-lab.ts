// Hosts made of Linux network namespaces for topology tests: veth links, a bridge, a hosts file
// per host, and a teardown that removes all of it (even after a failure).
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Why network namespaces cannot be made here, or null when they can (root and iproute2). */
export async function netnsUnavailable(): Promise<string | null> {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'making network namespaces needs root (CI runs as root)';
  const probe = `porta-probe-${randomBytes(3).toString('hex')}`;
  try {
    await execFileAsync('ip', ['netns', 'add', probe]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      return '`ip` is missing: install iproute2 (scripts/install-system-deps.sh)';
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    return `\`ip netns add\` is not permitted here: ${stderr.trim()}`;
  }
  await execFileAsync('ip', ['netns', 'del', probe]).catch(() => undefined);
  return null;
}

/** One end of a link: a host, the interface's name there, its address with prefix length. */
export interface LinkEnd {
  readonly host: string;
  readonly ifname: string;
  readonly cidr?: string;
}

/**
 * A set of hosts (network namespaces) named uniquely for this run, so runs side by side never
 * meet. `ip netns exec` mounts /etc/netns/<name>/hosts over /etc/hosts: each host's names.
 */
export class NetnsLab {
  readonly #id = randomBytes(3).toString('hex');
  readonly #hosts: string[] = [];
  /** A backstop for a runner that exits without running `after`: namespaces outlive processes. */
  readonly #onExit = (): void => {
    this.destroy();
  };

  /** The namespace behind a host name ("front" -> "porta-1a2b3c-front"). */
  ns(host: string): string {
    return `porta-${this.#id}-${host}`;
  }

  /** `ip netns exec <host>`: the prefix that runs a command inside a host. */
  exec(host: string): string[] {
    return ['ip', 'netns', 'exec', this.ns(host)];
  }

  /** Makes a host with loopback up, its own hosts file and an empty resolv.conf (no stray DNS). */
  async addHost(host: string, names: Readonly<Record<string, string>> = {}): Promise<void> {
    const ns = this.ns(host);
    await execFileAsync('ip', ['netns', 'add', ns]);
    if (this.#hosts.length === 0) process.once('exit', this.#onExit);
    this.#hosts.push(host);
    const etc = `/etc/netns/${ns}`;
    mkdirSync(etc, { recursive: true });
    const lines = ['127.0.0.1 localhost', '::1 localhost'];
    for (const [name, address] of Object.entries(names)) lines.push(`${address} ${name}`);
    writeFileSync(`${etc}/hosts`, `${lines.join('\n')}\n`);
    writeFileSync(`${etc}/resolv.conf`, '');
    await this.ip(host, 'link', 'set', 'lo', 'up');
  }

  /** Runs `ip ...` inside a host. */
  async ip(host: string, ...args: string[]): Promise<void> {
    await execFileAsync('ip', ['-n', this.ns(host), ...args]);
  }

  /** Sets a /proc/sys value inside a host ("net/ipv4/ip_forward", "0"); no procps needed. */
  async sysctl(host: string, key: string, value: string): Promise<void> {
    await execFileAsync('ip', [
      'netns',
      'exec',
      this.ns(host),
      'sh',
      '-c',
      'echo "$1" > "/proc/sys/$0"',
      key,
      value,
    ]);
  }

  /** A veth pair made straight inside the two hosts (nothing appears in the root namespace). */
  async link(a: LinkEnd, b: LinkEnd): Promise<void> {
    await execFileAsync('ip', [
      'link',
      'add',
      'name',
      a.ifname,
      'netns',
      this.ns(a.host),
      'type',
      'veth',
      'peer',
      'name',
      b.ifname,
      'netns',
      this.ns(b.host),
    ]);
    for (const end of [a, b]) {
      if (end.cidr !== undefined)
        await this.ip(end.host, 'addr', 'add', end.cidr, 'dev', end.ifname);
      await this.ip(end.host, 'link', 'set', end.ifname, 'up');
    }
  }

  /** A bridge inside a host (a switch), with the named interfaces there enslaved to it. */
  async bridge(host: string, name: string, ports: readonly string[]): Promise<void> {
    await this.ip(host, 'link', 'add', name, 'type', 'bridge');
    for (const port of ports) await this.ip(host, 'link', 'set', port, 'master', name);
    await this.ip(host, 'link', 'set', name, 'up');
  }

  /** Runs a command inside a host to its end; never throws for a non-zero exit. */
  async run(
    host: string,
    argv: readonly string[],
    timeoutMs = 30_000,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await execFileAsync('ip', [...this.exec(host).slice(1), ...argv], {
        timeout: timeoutMs,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number | string; stdout?: string; stderr?: string };
      return {
        code: typeof failed.code === 'number' ? failed.code : -1,
        stdout: failed.stdout ?? '',
        stderr: failed.stderr ?? String(error),
      };
    }
  }

  /**
   * Removes every host (their interfaces and bridges go with them) and their /etc/netns files.
   * Stop the processes inside first: a namespace lives on while a process holds it.
   */
  destroy(): void {
    process.off('exit', this.#onExit);
    for (const host of this.#hosts.splice(0)) {
      const ns = this.ns(host);
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // Already gone: nothing to remove.
      }
      rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
    }
    // /etc/netns itself stays: another run may be writing its hosts there right now.
  }
}
