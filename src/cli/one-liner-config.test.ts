// The one-liners' fast path (config/one-liner-config.ts) against the schema: for every flag
// combination of `serve` and `echo` it yields exactly the config validation yields; for what it
// cannot vouch for it yields null, so the validated way runs and reports as it always did.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { oneLinerConfig } from '../config/one-liner-config.js';
import type { ConfigInput } from '../config/schema.js';
import { validateConfig } from '../config/validate.js';
import { addEchoCommand } from './echo.js';
import { addForwardCommand } from './forward.js';
import { addProxyCommand } from './proxy.js';
import { addServeCommand } from './serve.js';

/** The config a command line builds (through --print-config), as the runner would get it. */
async function configOf(argv: readonly string[]): Promise<ConfigInput> {
  const program = new Command('porta').exitOverride();
  let printed: ConfigInput | undefined;
  const print = (config: ConfigInput): void => {
    printed = config;
  };
  const run = (): Promise<void> => Promise.reject(new Error('must not run'));
  addServeCommand(program, run, print);
  addEchoCommand(program, run, print);
  addProxyCommand(program, run, print);
  addForwardCommand(program, run, print);
  await program.parseAsync([...argv, '--print-config'], { from: 'user' });
  assert.ok(printed !== undefined, `${argv.join(' ')} printed no config`);
  return printed;
}

/** Every combination: one choice from each group (an empty choice leaves the flag out). */
function combinations(groups: readonly (readonly (readonly string[])[])[]): string[][] {
  let out: string[][] = [[]];
  for (const group of groups)
    out = out.flatMap((head) => group.map((flags) => [...head, ...flags]));
  return out;
}

/** The flags every server command shares, one choice at a time, beside none of them. */
const COMMON: readonly (readonly string[])[] = [
  [],
  ['--port', '0'],
  ['--host', '127.0.0.1', '-p', '9000'],
  ['--host', '::1'],
  ['--workers', '2'],
  ['--workers', 'auto'],
  ['-w', '256'],
  ['--log-level', 'debug'],
  ['--log-format', 'json', '--log-level', 'error'],
  ['--access-log', 'off'],
  ['--access-log', 'json', '--access-log-file', '/tmp/a.log'],
  ['--admin', '127.0.0.1:0'],
  ['--admin', '2019'],
  ['--admin', '[::1]:2019'],
];

const SERVE = combinations([
  [['serve'], ['serve', '/srv/www']],
  [[], ['--spa'], ['--listing'], ['--spa', '--listing']],
  [[], ['--cors', '--no-compress']],
  [[], ['--cache', '1h'], ['--cache', '0'], ['--cache', '3600']],
  COMMON,
]);

const ECHO = combinations([
  [['echo'], ['echo', '--tcp']],
  [[], ['--max-body', '1m'], ['--max-body', '1024']],
  COMMON,
]);

describe('oneLinerConfig', () => {
  it(`gives what validation gives for ${SERVE.length} serve and ${ECHO.length} echo command lines`, async () => {
    for (const argv of [...SERVE, ...ECHO]) {
      const input = await configOf(argv);
      const fast = oneLinerConfig(input);
      assert.ok(fast !== null, `porta ${argv.join(' ')}: not taken`);
      assert.deepStrictEqual(fast, validateConfig(input), `porta ${argv.join(' ')}`);
    }
  });

  it('hands a value the schema refuses to validation, which names it as before', async () => {
    const refused = [
      ['serve', '--workers', '300'],
      ['echo', '--max-body', '12q'],
      ['echo', '--name', ' padded'],
      ['echo', '--tcp', '--workers', '1000'],
      ['serve', '--admin', '0.0.0.0:2019'], // open to the network without a guard
      ['serve', '--admin', 'nowhere:x'],
    ];
    for (const argv of refused) {
      const input = await configOf(argv);
      assert.equal(oneLinerConfig(input), null, argv.join(' '));
      assert.throws(() => validateConfig(input), { code: 'PORTA_CONFIG_INVALID' }, argv.join(' '));
    }
    const tooMany = await configOf(['serve', '--workers', '300']);
    assert.throws(() => validateConfig(tooMany), {
      message: /workers: expected .*256/s,
    });
  });

  it('leaves what needs more than defaults to validation: TLS, names, proxy, forward', async () => {
    const validated = [
      ['serve', '--https'],
      ['echo', '--name', 'edge-1'],
      ['proxy', '--to', 'http://127.0.0.1:3000'],
      ['forward', '8080:80'],
    ];
    for (const argv of validated) {
      const input = await configOf(argv);
      assert.equal(oneLinerConfig(input), null, argv.join(' '));
      validateConfig(input); // and validation takes them
    }
  });

  it('refuses forms no one-liner builds: unknown keys, two handlers, bad addresses', () => {
    const site = { listen: [':8080'], routes: [{ path: '/', echo: {} }] };
    const forms: unknown[] = [
      { sites: [site], timeouts: { idle: '1s' } },
      { sites: [site], pid_file: undefined }, // a key no one-liner writes, even unset
      { sites: [{ ...site, hosts: ['a.example'] }] },
      { sites: [{ listen: [':8080'], routes: [{ path: '/', echo: {}, static: {} }] }] },
      { sites: [{ listen: [':8080'], routes: [{ path: 'no-slash', echo: {} }] }] },
      { sites: [{ listen: ['not an address'], routes: [{ echo: {} }] }] },
      { sites: [site, site] }, // the same address twice
      { sites: [site], log: { access: '$status' } },
      { streams: [{ listen: [':7'], echo: { x: 1 } }] },
      { sites: [{ listen: [':8080'], routes: [{ static: { root: '' } }] }] },
      { sites: [{ listen: [':8080'], routes: [{ static: { cache_control: 'a\r\nb' } }] }] },
    ];
    for (const form of forms) assert.equal(oneLinerConfig(form as ConfigInput), null);
  });
});
