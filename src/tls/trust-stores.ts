// Adds the local CA to trust stores: Debian's system store (update-ca-certificates) and NSS databases (Chromium, Firefox).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** What one attempt did, in words for the user. */
export interface TrustResult {
  readonly store: string;
  readonly ok: boolean;
  readonly message: string;
}

/** The nickname the CA gets in NSS databases (`certutil -L` shows it). */
export const NSS_NICKNAME = 'porta local CA';
/** Debian's folder for local CAs; update-ca-certificates picks up *.crt there. */
export const DEBIAN_CA_DIR = '/usr/local/share/ca-certificates';
const DEBIAN_CA_FILE = 'porta-local-ca.crt';

function onPath(command: string): boolean {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0;
}

function output(result: ReturnType<typeof spawnSync>): string {
  return `${String(result.stderr)}${String(result.stdout)}`.trim().split('\n')[0] ?? '';
}

/** The system store (curl, wget, Node with --use-openssl-ca, Chromium via NSS does not read it). */
export function trustSystem(caPath: string): TrustResult {
  const store = 'system store';
  if (!existsSync(DEBIAN_CA_DIR) || !onPath('update-ca-certificates')) {
    return {
      store,
      ok: false,
      message: `skipped: no ${DEBIAN_CA_DIR} and update-ca-certificates (not Debian/Ubuntu?); add ${caPath} by hand`,
    };
  }
  const target = join(DEBIAN_CA_DIR, DEBIAN_CA_FILE);
  try {
    copyFileSync(caPath, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return {
      store,
      ok: false,
      message: `cannot write ${target} (${code}): run \`sudo porta trust\`, or: sudo cp ${caPath} ${target} && sudo update-ca-certificates`,
    };
  }
  const result = spawnSync('update-ca-certificates', [], { encoding: 'utf8' });
  if (result.status !== 0) {
    return { store, ok: false, message: `update-ca-certificates failed: ${output(result)}` };
  }
  return { store, ok: true, message: `added as ${target} and ran update-ca-certificates` };
}

/** The NSS databases of this user: Chromium's ~/.pki/nssdb (made if missing) and each Firefox profile. */
export function nssDatabases(home: string): { path: string; create: boolean }[] {
  const databases = [{ path: join(home, '.pki', 'nssdb'), create: true }];
  for (const root of [
    join(home, '.mozilla', 'firefox'),
    join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox'),
  ]) {
    let entries: string[] = [];
    try {
      entries = readdirSync(root);
    } catch {
      continue;
    }
    for (const name of entries) {
      const profile = join(root, name);
      if (existsSync(join(profile, 'cert9.db'))) databases.push({ path: profile, create: false });
    }
  }
  return databases;
}

/** Adds the CA to every NSS database with certutil (Debian: libnss3-tools), trusted for TLS servers. */
export function trustNss(caPath: string, home: string): TrustResult[] {
  if (!onPath('certutil')) {
    return [
      {
        store: 'NSS (Chromium, Firefox)',
        ok: false,
        message: 'skipped: certutil is not installed (Debian: apt-get install libnss3-tools)',
      },
    ];
  }
  const results: TrustResult[] = [];
  for (const database of nssDatabases(home)) {
    const store = `NSS ${database.path}`;
    const db = `sql:${database.path}`;
    if (database.create && !existsSync(join(database.path, 'cert9.db'))) {
      mkdirSync(database.path, { recursive: true, mode: 0o700 });
      const made = spawnSync('certutil', ['-N', '-d', db, '--empty-password'], {
        encoding: 'utf8',
      });
      if (made.status !== 0) {
        results.push({ store, ok: false, message: `certutil -N failed: ${output(made)}` });
        continue;
      }
    }
    // "C,," : a CA trusted to issue server certificates (not e-mail or code signing).
    const added = spawnSync(
      'certutil',
      ['-A', '-d', db, '-t', 'C,,', '-n', NSS_NICKNAME, '-i', caPath],
      {
        encoding: 'utf8',
      },
    );
    results.push(
      added.status === 0
        ? { store, ok: true, message: `added as "${NSS_NICKNAME}"` }
        : { store, ok: false, message: `certutil -A failed: ${output(added)}` },
    );
  }
  return results;
}
