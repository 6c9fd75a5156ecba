// Tests for `porta serve`: the config its flags build and --print-config.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { StaticSchema } from '../config/static-schema.js';
import {
  addServeCommand,
  buildServeConfig,
  cacheControl,
  type ServeConfig,
  type ServeInfo,
} from './serve.js';

describe('buildServeConfig', () => {
  it('serves the current folder on every interface, port 8080, by default', () => {
    const config = buildServeConfig(undefined, { port: '8080' });
    assert.deepEqual(config, {
      workers: 1,
      sites: [{ listen: [':8080'], routes: [{ path: '/', static: { root: resolve('.') } }] }],
    });
  });

  it('turns flags into static options the schema accepts', () => {
    const config = buildServeConfig('site', {
      port: '9000',
      host: '::1',
      spa: true,
      listing: true,
      cors: true,
      compress: false,
      cache: '1h',
      logLevel: 'debug',
    });
    const site = config.sites[0];
    assert.deepEqual(site.listen, ['[::1]:9000']);
    const options = site.routes[0].static;
    assert.deepEqual(options, {
      root: resolve('site'),
      spa: true,
      listing: true,
      cors: true,
      compress: false,
      cache_control: 'public, max-age=3600',
    });
    assert.equal(StaticSchema.safeParse(options).success, true);
    assert.deepEqual(config.log, { level: 'debug' });
  });

  it('reads --cache as seconds or a duration and refuses garbage', () => {
    assert.equal(cacheControl('600'), 'public, max-age=600');
    assert.equal(cacheControl('2m'), 'public, max-age=120');
    assert.equal(cacheControl('0'), 'no-cache');
    assert.throws(() => cacheControl('forever'), { code: 'PORTA_USAGE' });
  });

  it('refuses a bad port before binding', () => {
    assert.throws(() => buildServeConfig('.', { port: 'http' }));
  });
});

describe('addServeCommand', () => {
  async function parseArgs(args: string[]): Promise<{
    runs: [ServeConfig, ServeInfo][];
    printed: ServeConfig[];
  }> {
    const runs: [ServeConfig, ServeInfo][] = [];
    const printed: ServeConfig[] = [];
    const program = new Command('porta').exitOverride();
    addServeCommand(
      program,
      (config, info) => {
        runs.push([config, info]);
        return Promise.resolve();
      },
      (config) => {
        printed.push(config);
      },
    );
    await program.parseAsync(args, { from: 'user' });
    return { runs, printed };
  }

  it('runs with the built config and the --open wish', async () => {
    const { runs } = await parseArgs(['serve', 'site', '--port', '0', '--open', '--no-compress']);
    assert.equal(runs.length, 1);
    const [config, info] = runs[0] ?? assert.fail('no run');
    assert.equal(info.openBrowser, true);
    assert.deepEqual(config.sites[0].routes[0].static, { root: resolve('site'), compress: false });
    assert.deepEqual(config.sites[0].listen, [':0']);
    assert.equal(info.hint, null, 'site/ has an index.html: no hint');
  });

  it('prints the config instead of running with --print-config', async () => {
    const { runs, printed } = await parseArgs(['serve', '--print-config', '--spa']);
    assert.equal(runs.length, 0);
    assert.equal(printed[0]?.sites[0].routes[0].static.spa, true);
  });

  it('prints YAML a config file could hold', async () => {
    const program = new Command('porta').exitOverride();
    // The printer loads the YAML writer when asked, so the test runner may report meanwhile:
    // keep the one write that is the config and pass the runner's own reports through (were
    // they swallowed, the results of the tests before this one would go unreported).
    let output = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (chunk: string | Uint8Array) => {
      if (typeof chunk === 'string' && chunk.includes('sites:')) {
        output += chunk;
        return true;
      }
      return write(chunk);
    };
    try {
      addServeCommand(program, () => Promise.reject(new Error('must not run')));
      await program.parseAsync(['serve', 'site', '--listing', '--print-config', '-p', '8080'], {
        from: 'user',
      });
    } finally {
      process.stdout.write = write;
    }
    assert.deepEqual(parse(output), {
      workers: 1,
      sites: [
        {
          listen: [':8080'],
          routes: [{ path: '/', static: { root: resolve('site'), listing: true } }],
        },
      ],
    });
  });

  it('gives a hint to log when the folder has no index.html, unless --listing or --spa', async () => {
    const { runs } = await parseArgs(['serve', 'src', '--port', '0']);
    assert.match(runs[0]?.[1].hint ?? '', /No index\.html in .*src: .*start with --listing/);
    const listed = await parseArgs(['serve', 'src', '--port', '0', '--listing']);
    assert.equal(listed.runs[0]?.[1].hint, null);
  });

  it('refuses a folder that does not exist', async () => {
    await assert.rejects(parseArgs(['serve', '/no/such/folder/here']), { code: 'PORTA_USAGE' });
  });
});
