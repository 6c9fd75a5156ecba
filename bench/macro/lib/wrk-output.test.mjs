// Checks the wrk report reader on reports as wrk 4.1 prints them (node --test bench/macro/lib/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrkOutput, parseWrkTime } from './wrk-output.mjs';

const report = `Running 5s test @ http://127.0.0.1:40001/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   337.47us   82.71us   3.54ms   87.04%
    Req/Sec   142.78k     3.60k  148.64k    80.00%
  Latency Distribution
     50%  320.00us
     75%  350.00us
     90%  400.00us
     99%    1.20ms
  710467 requests in 5.00s, 112.47MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 5
Requests/sec: 142093.34
Transfer/sec:     22.49MB
`;

test('reads rate, percentiles and errors', () => {
  const result = parseWrkOutput(report);
  assert.equal(result.requestsPerSecond, 142093.34);
  assert.equal(result.requests, 710467);
  assert.equal(result.seconds, 5);
  assert.equal(result.p50Ms, 0.32);
  assert.equal(result.p99Ms, 1.2);
  assert.equal(result.socketErrors, 5);
  assert.equal(result.timeouts, 2);
  assert.equal(result.non2xx, 5);
  assert.equal(result.rateStdev, 3600);
});

test('a clean report has no errors', () => {
  const clean = report
    .split('\n')
    .filter((line) => !line.includes('errors') && !line.includes('Non-2xx'))
    .join('\n');
  const result = parseWrkOutput(clean);
  assert.equal(result.socketErrors, 0);
  assert.equal(result.non2xx, 0);
});

test('a p99 below p90 (wrk 4.1 under pipelining) reads as unknown', () => {
  const slipped = report.replace('99%    1.20ms', '99%    0.00us');
  assert.equal(parseWrkOutput(slipped).p99Ms, null);
  const zero = report
    .replace('90%  400.00us', '90%    0.00us')
    .replace('99%    1.20ms', '99%    0.00us');
  assert.equal(parseWrkOutput(zero).p99Ms, null);
});

test('time units', () => {
  assert.equal(parseWrkTime('2.00s'), 2000);
  assert.equal(parseWrkTime('1.50m'), 90_000);
  assert.equal(parseWrkTime('nonsense'), null);
});

test('no rate line is an error', () => {
  assert.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused'));
});
