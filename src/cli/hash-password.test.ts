// `porta hash-password` as a user runs it: the password piped on stdin, the hash on stdout.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parsePasswordHash, verifyPassword } from '../handlers/directives/password-hash.js';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

function runHashPassword(
  args: readonly string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'hash-password', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('porta hash-password', () => {
  it('prints a hash of the piped password (one trailing newline dropped)', async () => {
    const { code, stdout } = await runHashPassword(['--cost', '1024'], 'pass word\n');
    assert.equal(code, 0);
    const hash = parsePasswordHash(stdout.trim());
    assert.equal(hash.n, 1024);
    assert.equal(await verifyPassword('pass word', hash), true);
  });

  it('prints a users: entry with --user', async () => {
    const { code, stdout } = await runHashPassword(['--cost', '1024', '-u', 'alice'], 'pw');
    assert.equal(code, 0);
    assert.match(stdout, /^- user: "alice"\n {2}password_hash: "scrypt\$1024\$8\$1\$[^"]+"\n$/);
  });

  it('refuses an empty password and a bad cost', async () => {
    const empty = await runHashPassword([], '');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /the password is empty/);
    const cost = await runHashPassword(['--cost', '1000'], 'pw');
    assert.equal(cost.code, 2);
    assert.match(cost.stderr, /power of two/);
  });
});
