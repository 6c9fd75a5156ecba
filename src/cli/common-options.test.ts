// Tests for the shared flags: one default host for every command, $PORT, --workers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adminSection, listenText, parseWorkers, workersSection } from './common-options.js';

describe('listenText', () => {
  it('binds every interface (no host) on 8080 when neither --port nor $PORT is given', () => {
    assert.equal(listenText({}, {}), ':8080');
  });

  it('takes $PORT when --port is absent, and --port over $PORT', () => {
    assert.equal(listenText({}, { PORT: '5000' }), ':5000');
    assert.equal(listenText({ port: '0' }, { PORT: '5000' }), ':0');
    assert.equal(listenText({ host: '127.0.0.1' }, { PORT: '5000' }), '127.0.0.1:5000');
    assert.equal(listenText({}, { PORT: '' }), ':8080', 'an empty $PORT counts as unset');
  });

  it('names $PORT when its value is not a port', () => {
    assert.throws(() => listenText({}, { PORT: 'web' }), {
      code: 'PORTA_USAGE',
      message: /^\$PORT=web \(used as --port\): .*not a number/,
    });
  });

  it('brackets an IPv6 host', () => {
    assert.equal(listenText({ host: '::1', port: '80' }, {}), '[::1]:80');
  });
});

describe('--workers', () => {
  it('reads "auto" or a whole number >= 1, and leaves the key out when absent', () => {
    assert.equal(parseWorkers('auto'), 'auto');
    assert.equal(parseWorkers('3'), 3);
    assert.throws(() => parseWorkers('0'), { code: 'PORTA_USAGE' });
    assert.throws(() => parseWorkers('two'), { code: 'PORTA_USAGE' });
    assert.deepEqual(workersSection({}), {});
    assert.deepEqual(workersSection({ workers: '2' }), { workers: 2 });
  });
});

describe('--admin, the config and $PORTA_ADMIN', () => {
  const env = { PORTA_ADMIN: '127.0.0.1:2019' };
  it('takes --admin first, then the config, then $PORTA_ADMIN', () => {
    assert.deepEqual(adminSection({ admin: '127.0.0.1:9000' }, '127.0.0.1:9001', env), {
      admin: '127.0.0.1:9000',
    });
    assert.deepEqual(adminSection({}, '127.0.0.1:9001', env), { admin: '127.0.0.1:9001' });
    assert.deepEqual(adminSection({}, undefined, env), { admin: '127.0.0.1:2019' });
    assert.deepEqual(adminSection({}, undefined, {}), {});
    assert.deepEqual(adminSection({}, undefined, { PORTA_ADMIN: '' }), {});
  });

  it('keeps a config admin object (allow-list and all) over $PORTA_ADMIN', () => {
    const guarded = { listen: '0.0.0.0:2019', allow: ['10.0.0.0/8'] };
    assert.deepEqual(adminSection({}, guarded, env), { admin: guarded });
    assert.deepEqual(adminSection({ admin: '0.0.0.0:2020' }, guarded, env), {
      admin: { ...guarded, listen: '0.0.0.0:2020' },
    });
  });
});
