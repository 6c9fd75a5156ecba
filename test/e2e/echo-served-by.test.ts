// End to end: the HTTP echo names the instance that answered (X-Served-By, JSON served_by).
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { runPorta, spawnPorta } from '../support/porta-process.js';

describe('echo names who answered', () => {
  it("uses the machine's host name by default, in the field and the JSON form", async () => {
    const porta = await spawnPorta('echo --host 127.0.0.1 --port 0'.split(' '));
    try {
      const text = await fetch(`${porta.url}/`);
      assert.equal(text.headers.get('x-served-by'), hostname());
      assert.match(await text.text(), /^GET \/ HTTP\/1\.1\r\n/);
      const json = await fetch(`${porta.url}/`, { headers: { accept: 'application/json' } });
      const document = (await json.json()) as { served_by: string };
      assert.equal(document.served_by, hostname());
    } finally {
      await porta.stop();
    }
  });

  it('takes a name from --name (2 workers: both say it)', async () => {
    const porta = await spawnPorta('echo --host 127.0.0.1 --port 0 --name blue-1 -w 2'.split(' '));
    try {
      for (let i = 0; i < 6; i++) {
        const response = await fetch(`${porta.url}/${i}`, { headers: { connection: 'close' } });
        assert.equal(response.headers.get('x-served-by'), 'blue-1');
        await response.arrayBuffer();
      }
    } finally {
      await porta.stop();
    }
  });

  it('refuses a name that could not be a header value', async () => {
    const result = await runPorta(['echo', '--name', 'a\r\nb: c', '--port', '0', '--print-config']);
    assert.equal(result.code, 0, 'print-config only prints');
    const check = await runPorta(['echo', '--name', 'a\r\nb: c', '--port', '0']);
    assert.notEqual(check.code, 0);
    assert.match(check.stderr, /name: expected printable ASCII text/);
  });
});
