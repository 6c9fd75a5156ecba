// `porta hash-password`: reads a password (hidden prompt, or stdin) and prints its scrypt hash for basic_auth.
import type { Command } from 'commander';
import { PortaError } from '../errors.js';
import {
  DEFAULT_COST,
  HASH_FORMAT,
  hashPassword,
  parsePasswordHash,
} from '../handlers/directives/password-hash.js';

interface HashFlags {
  readonly cost: string;
  readonly user?: string;
}

/** The whole of a piped stdin, without one trailing newline (as `echo secret |` adds). */
async function readPiped(input: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks on the terminal without echoing what is typed. */
function prompt(input: NodeJS.ReadStream, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    process.stderr.write(question);
    let typed = '';
    const finish = (error: Error | null): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error === null) resolve(typed);
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish(null);
          return;
        }
        if (char === '\u0003') {
          finish(new PortaError('PORTA_USAGE', 'cancelled'));
          return;
        }
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

async function readPassword(): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return readPiped(input);
  const first = await prompt(input, 'Password: ');
  const again = await prompt(input, 'Again: ');
  if (first !== again) throw new PortaError('PORTA_USAGE', 'the two passwords differ');
  return first;
}

export function addHashPasswordCommand(program: Command): void {
  program
    .command('hash-password')
    .description(
      `print the hash of a password for basic_auth users (${HASH_FORMAT}); reads it from a hidden prompt, or from stdin when piped`,
    )
    .option(
      '--cost <n>',
      'scrypt N: a power of two; more is slower to check and to crack',
      String(DEFAULT_COST.n),
    )
    .option(
      '-u, --user <name>',
      'print a ready `users:` entry for this user instead of the bare hash',
    )
    .action(async (flags: HashFlags) => {
      const n = Number(flags.cost);
      const cost = { ...DEFAULT_COST, n };
      try {
        parsePasswordHash(`scrypt$${n}$${cost.r}$${cost.p}$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==`);
      } catch (error) {
        throw new PortaError('PORTA_USAGE', `--cost: ${(error as Error).message}`);
      }
      const password = await readPassword();
      if (password === '') throw new PortaError('PORTA_USAGE', 'the password is empty');
      const hash = await hashPassword(password, cost);
      process.stdout.write(
        flags.user === undefined
          ? `${hash}\n`
          : `- user: ${JSON.stringify(flags.user)}\n  password_hash: ${JSON.stringify(hash)}\n`,
      );
    });
}
