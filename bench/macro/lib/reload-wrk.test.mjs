// Checks the extra wrk fields (p90, max, each socket error) on reports as wrk 4.1 prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrkDetails } from './reload-wrk.mjs';

const report = `Running 12s test @ http://127.0.0.1:40001/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.12ms    3.01ms 208.33ms   91.04%
    Req/Sec     9.80k     1.20k   11.64k    80.00%
  Latency Distribution
     50%    4.80ms
     75%    5.50ms
     90%    7.10ms
     99%   15.20ms
  117000 requests in 12.00s, 14.47MB read
  Socket errors: connect 1, read 2, write 3, timeout 4
Requests/sec:   9750.00
Transfer/sec:      1.21MB
`;

test('reads p90, max latency and each kind of socket error', () => {
  const details = parseWrkDetails(report);
  assert.equal(details.p90Ms, 7.1);
  assert.equal(details.maxMs, 208.33);
  assert.deepEqual(details.errors, { connect: 1, read: 2, write: 3, timeout: 4 });
});

test('no Socket errors line means zero of each', () => {
  const clean = report.replace(/^ {2}Socket errors.*\n/m, '');
  assert.deepEqual(parseWrkDetails(clean).errors, { connect: 0, read: 0, write: 0, timeout: 0 });
});

test('a max in seconds reads as milliseconds', () => {
  const slow = report.replace('208.33ms', '1.50s');
  assert.equal(parseWrkDetails(slow).maxMs, 1500);
});
