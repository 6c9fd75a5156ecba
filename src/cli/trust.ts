// `porta trust`: makes the local CA (if needed) and adds it to the system and browser trust stores, saying what it did.
import { homedir } from 'node:os';
import type { Command } from 'commander';
import type { TrustResult } from '../tls/trust-stores.js';

interface TrustFlags {
  /** commander's --no-system / --no-nss set these to false. */
  readonly system: boolean;
  readonly nss: boolean;
}

/** Runs the steps; returns the lines to print and whether every attempted store took the CA. */
export async function trustLocalCa(
  flags: TrustFlags,
  home: string = homedir(),
): Promise<{ lines: string[]; ok: boolean }> {
  // Loaded here only: the CLI a cluster primary parses its command line with stays light.
  const [{ portaDataDir }, { ensureLocalCa }, { trustNss, trustSystem }] = await Promise.all([
    import('../tls/data-dir.js'),
    import('../tls/local-ca.js'),
    import('../tls/trust-stores.js'),
  ]);
  const { ca, created } = await ensureLocalCa(portaDataDir());
  const lines = [`${created ? 'Made' : 'Using'} the local CA ${ca.certPath}`];
  const results: TrustResult[] = [];
  if (flags.system) results.push(trustSystem(ca.certPath));
  if (flags.nss) results.push(...trustNss(ca.certPath, home));
  for (const result of results) {
    lines.push(`${result.ok ? 'ok  ' : 'skip'} ${result.store}: ${result.message}`);
  }
  lines.push(
    'Restart the browser to pick the change up. Remove the CA with certutil -D / by deleting the file.',
  );
  return { lines, ok: results.every((r) => r.ok) };
}

export function addTrustCommand(program: Command): void {
  program
    .command('trust')
    .description(
      "add porta's local CA (used by serve --https and tls: internal) to the trust stores",
    )
    .option('--no-system', 'leave the system store alone (update-ca-certificates, needs root)')
    .option('--no-nss', "leave the browsers' NSS databases alone (certutil)")
    .action(async (flags: TrustFlags) => {
      const { lines, ok } = await trustLocalCa(flags);
      process.stdout.write(`${lines.join('\n')}\n`);
      if (!ok) process.exitCode = 1;
    });
}
