// Tests custom access log formats: every variable, ${name}, literal dollars, escaping, unknown names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessRecord } from './access-format.js';
import { compileAccessTemplate, unknownAccessVariables } from './access-template.js';

/** 2026-11-24 18:44:42.100 UTC, finished 23 ms later. */
const STARTED = Date.UTC(2026, 10, 24, 18, 44, 42, 100);

function record(overrides: Partial<AccessRecord> = {}): AccessRecord {
  const headers = new Map([
    ['host', 'example.test:8080'],
    ['user-agent', 'agent "x"\n'],
    ['x-request-id', 'abc'],
  ]);
  return {
    remoteAddress: '127.0.0.1',
    remotePort: 51234,
    remoteUser: '',
    method: 'GET',
    target: '/a/b?x=1&y=2',
    versionMajor: 1,
    versionMinor: 1,
    status: 200,
    bytesSent: 612,
    startedAt: STARTED,
    durationMs: 23,
    header: (name) => headers.get(name),
    ...overrides,
  };
}

function line(format: string, values: Partial<AccessRecord> = {}): string {
  return compileAccessTemplate(format).format(record(values));
}

describe('access log formats of $variables', () => {
  it('writes each variable as nginx does', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'UTC';
    try {
      assert.equal(
        line(
          '$remote_addr:$remote_port $remote_user [$time_local] $time_iso8601 $msec "$request" ' +
            '$request_method $request_uri $args $query_string $server_protocol $status ' +
            '$body_bytes_sent $request_time $host "$http_user_agent" $http_x_request_id $http_none',
        ),
        '127.0.0.1:51234 - [24/Nov/2026:18:44:42 +0000] 2026-11-24T18:44:42+00:00 ' +
          '1795545882.123 "GET /a/b?x=1&y=2 HTTP/1.1" GET /a/b?x=1&y=2 x=1&y=2 x=1&y=2 HTTP/1.1 200 ' +
          '612 0.023 example.test:8080 "agent \\x22x\\x22\\x0A" abc -\n',
      );
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('logs a refused request with - for what was never read, and 000 for no status', () => {
    assert.equal(
      line('"$request" $request_method $server_protocol $status', {
        method: '',
        target: '',
        status: 0,
      }),
      '"-" - - 000\n',
    );
  });

  it('takes ${name} next to text, a lone $ as text, and $pid', () => {
    assert.equal(line('${status}ms $ $$ $-x ${'), `200ms $ $$ $-x \${\n`);
    assert.equal(line('$pid'), `${process.pid}\n`);
    assert.equal(line('$remote_user', { remoteUser: 'alice' }), 'alice\n');
  });

  it('names unknown variables; compiling one throws', () => {
    assert.deepEqual(unknownAccessVariables('$remote_addr $staus ${nope} $http_x'), [
      'staus',
      'nope',
    ]);
    assert.deepEqual(unknownAccessVariables('$http_'), ['http_']);
    assert.throws(() => compileAccessTemplate('$staus'), /unknown access log variable \$staus/);
  });
});
