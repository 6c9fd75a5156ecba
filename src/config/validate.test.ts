// Error-message tests for every class of config mistake: file:line:column, key path, "expected X, got Y", all at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ConfigError,
  type ConfigProblem,
  formatProblem,
  isConfigError,
} from './config-error.js';
import type { Env } from './env.js';
import { parseConfigText } from './load.js';
import type { Config } from './schema.js';
import { validateConfig } from './validate.js';

function parse(text: string, env: Env = {}, format: 'yaml' | 'json' = 'yaml'): Config {
  return parseConfigText(text, { source: 'porta.yaml', format, baseDir: '/srv/site', env });
}

/** The problems of a config that must fail, as printed lines. */
function problems(text: string, env: Env = {}, format: 'yaml' | 'json' = 'yaml'): string[] {
  try {
    parse(text, env, format);
  } catch (error) {
    assert.ok(isConfigError(error), `expected a ConfigError, got ${String(error)}`);
    return error.problems.map(formatProblem);
  }
  assert.fail('expected the config to be rejected');
}

function configError(text: string): ConfigError {
  try {
    parse(text);
  } catch (error) {
    if (isConfigError(error)) return error;
    throw error;
  }
  assert.fail('expected the config to be rejected');
}

const ECHO_SITE = `sites:
  - listen: [":8080"]
    routes:
      - echo: {}
`;

describe('parseConfigText: every class of mistake', () => {
  it('wrong type: expected X, got Y, with a hint', () => {
    assert.deepEqual(
      problems(`sites:
  - listen: 8080
    routes:
      - respond: { status: "201" }
`),
      [
        'porta.yaml:2:13 sites[0].listen: expected a list, got 8080 (write a list: ["8080"])',
        'porta.yaml:4:28 sites[0].routes[0].respond.status: expected a number, got "201" (remove the quotes: 201)',
      ],
    );
    assert.deepEqual(problems(`sites:\n  - listen: [8080]\n    routes: [{ echo: {} }]\n`), [
      'porta.yaml:2:14 sites[0].listen[0]: expected a string, got 8080 (quote it: "8080")',
    ]);
    assert.deepEqual(problems(`sites:\n  - listen: [":1"]\n    routes:\n      - echo:\n`), [
      'porta.yaml:4:9 sites[0].routes[0].echo: expected a mapping, got an empty value (write {} for an empty mapping)',
    ]);
  });

  it('values out of range, not in a set, or malformed', () => {
    assert.deepEqual(
      problems(`${ECHO_SITE}log:
  level: warn
  access: xml
limits:
  max_headers: 0
  max_body_size: 1 megabyte
timeouts:
  idle: true
workers: many
`),
      [
        'porta.yaml:6:10 log.level: expected one of "debug", "info", "warning" or "error", got "warn" (did you mean "warning"?)',
        'porta.yaml:7:11 log.access: expected one of "combined", "json" or "off", or a format with $variables, got "xml"',
        'porta.yaml:9:16 limits.max_headers: expected a number > 0, got 0',
        'porta.yaml:10:18 limits.max_body_size: expected a size like "1m", "16k" or a number of bytes, got "1 megabyte"',
        'porta.yaml:12:9 timeouts.idle: expected a number or a string, got true',
        'porta.yaml:13:10 workers: expected "auto" or a number, got "many"',
      ],
    );
  });

  it('unknown keys, with a suggestion or the keys allowed there', () => {
    const lines = problems(`sites:
  - listen: [":8080"]
    rotes: []
    routes:
      - path: /
        echo: {}
        upstream: x
limits:
  max_body: 1m
routes: []
`);
    assert.equal(lines.length, 4, lines.join('\n'));
    assert.equal(lines[0], 'porta.yaml:3:5 sites[0].rotes: unknown key, did you mean `routes`?');
    // The list grows as handlers and directives arrive; these are there from the start.
    assert.match(
      lines[1] ?? '',
      /^porta\.yaml:7:9 sites\[0\]\.routes\[0\]\.upstream: unknown key; allowed here: path, respond, redirect, echo\b/,
    );
    assert.equal(
      lines[2],
      'porta.yaml:9:3 limits.max_body: unknown key, did you mean `max_body_size`?',
    );
    assert.equal(
      lines[3],
      'porta.yaml:10:1 routes: unknown key here; `routes` belongs in sites[].routes',
    );
  });

  it('a missing required key points at its parent', () => {
    assert.deepEqual(problems(`sites:\n  - listen: [":8080"]\n    hosts: [a.example]\n`), [
      'porta.yaml:2:5 sites[0]: missing required key `routes`',
    ]);
  });

  it('bad listen addresses, with the parser explanation', () => {
    assert.deepEqual(
      problems(`sites:
  - listen: ["localhost", ":70000", "::1:80"]
    routes: [{ echo: {} }]
`),
      [
        'porta.yaml:2:14 sites[0].listen[0]: listen address "localhost" has no port: expected a port like 8080, or host:port like 127.0.0.1:8080 or [::1]:8080 (did you mean localhost:8080?)',
        'porta.yaml:2:27 sites[0].listen[1]: listen address ":70000": port 70000 is outside 0-65535 (0 picks any free port)',
        'porta.yaml:2:37 sites[0].listen[2]: listen address "::1:80": IPv6 addresses need brackets, e.g. [::1]:8080 or [::]:8080',
      ],
    );
  });

  it('duplicate and overlapping listeners, and host names served twice', () => {
    assert.deepEqual(
      problems(`sites:
  - listen: [":8080", "127.0.0.1:8080"]
    hosts: [a.example]
    routes: [{ echo: {} }]
  - listen: [":8080"]
    hosts: [A.example]
    routes: [{ echo: {} }]
  - listen: [":9090"]
    routes: [{ echo: {} }]
  - listen: [":9090"]
    routes: [{ echo: {} }]
streams:
  - listen: [":8080", ":7", ":7"]
    echo: {}
`),
      [
        'porta.yaml:2:23 sites[0].listen[1]: 127.0.0.1:8080 overlaps *:8080 (sites[0].listen[0]): the two cannot both bind port 8080; use one address for both',
        'porta.yaml:6:13 sites[1].hosts[0]: "A.example" on *:8080 is already served by sites[0], so this site would never see it',
        'porta.yaml:10:5 sites[3]: a second default site on *:9090 (sites[2] has no hosts either), so this one would never answer; name its host names under `hosts:`',
        'porta.yaml:13:14 streams[0].listen[0]: *:8080 is already an HTTP listener (sites[0].listen[0]); one address, one protocol',
        'porta.yaml:13:29 streams[0].listen[2]: *:7 is listed twice (also streams[0].listen[1])',
      ],
    );
  });

  it('a UDP forward and a TCP listener may share a port; two UDP forwards may not', () => {
    const config = parse(`sites:
  - listen: [":5353"]
    routes: [{ echo: {} }]
streams:
  - listen: [":5353"]
    forward: { to: ["127.0.0.1:53"], protocol: udp }
`);
    assert.equal(config.streams.length, 1);
    assert.deepEqual(
      problems(`streams:
  - listen: [":5353"]
    forward: { to: ["127.0.0.1:53"], protocol: udp }
  - listen: [":5353"]
    forward: { to: ["127.0.0.1:54"], protocol: udp }
`),
      ['porta.yaml:4:14 streams[1].listen[0]: *:5353 is already used by streams[0].listen[0]'],
    );
  });

  it('port 0 listeners never clash (the kernel picks a port for each)', () => {
    const config = parse(`sites:
  - listen: ["127.0.0.1:0", "127.0.0.1:0"]
    routes: [{ echo: {} }]
  - listen: ["127.0.0.1:0"]
    routes: [{ echo: {} }]
`);
    assert.equal(config.sites.length, 2);
  });

  it('YAML syntax errors, with their line', () => {
    assert.deepEqual(problems('sites:\n  - listen: [":8080"\n    routes: []\n'), [
      'porta.yaml:3:5 YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    assert.match(
      problems('sites:\n\t- echo: {}\n').join('\n'),
      /porta\.yaml:2:1 YAML syntax: Tabs are not allowed/,
    );
    assert.match(
      problems('a: 1\na: 2\n').join('\n'),
      /porta\.yaml:2:1 YAML syntax: Map keys must be unique/,
    );
  });

  it('JSON syntax errors, with their line and column', () => {
    assert.deepEqual(problems('{\n  "sites": [],\n}\n', {}, 'json'), [
      'porta.yaml:3:1 JSON syntax: Expected double-quoted property name',
    ]);
  });

  it('an empty file, a list at the top, nothing to serve', () => {
    assert.deepEqual(problems(''), [
      'porta.yaml: expected a mapping with sites: and/or streams: at the top, got an empty file',
    ]);
    assert.deepEqual(problems('- a\n'), [
      'porta.yaml:1:1 expected a mapping with sites: and/or streams: at the top, got a list',
    ]);
    assert.deepEqual(problems('log:\n  level: info\n'), [
      'porta.yaml:1:1 nothing to serve: add a site under sites: or a listener under streams:',
    ]);
  });

  it('reports every problem at once, in file order, in one PORTA_CONFIG_INVALID error', () => {
    const error = configError(`log:
  level: loud
sites:
  - listen: ["\${NOPE}"]
    routs: []
`);
    assert.equal(error.code, 'PORTA_CONFIG_INVALID');
    const lines = error.problems.map((p: ConfigProblem) => p.position?.line);
    // level, the site missing `routes`, the variable, the misspelt `routs`.
    assert.deepEqual(lines, [2, 4, 4, 5]);
    assert.match(
      error.message,
      /^invalid configuration, 4 errors:\n {2}porta\.yaml:2:10 log\.level/,
    );
  });
});

describe('validateConfig (configs built in code)', () => {
  it('returns the config with defaults, or throws one error naming every problem', () => {
    assert.equal(
      validateConfig({ streams: [{ listen: [':7'], echo: {} }] }).limits.max_headers,
      100,
    );
    assert.throws(
      () =>
        validateConfig({
          sites: [{ listen: [':8080'], routes: [{ path: 'x', echo: {} }] }],
          log: 1,
        }),
      (error: ConfigError) => {
        assert.equal(error.code, 'PORTA_CONFIG_INVALID');
        assert.deepEqual(error.problems.map(formatProblem), [
          'config: sites[0].routes[0].path: expected text starting with "/", got "x"',
          'config: log: expected a mapping, got 1',
        ]);
        return true;
      },
    );
  });
});
