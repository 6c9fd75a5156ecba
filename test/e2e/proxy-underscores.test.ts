// End to end: request fields with "_" in their names (Transfer_Encoding, Content_Length) and what the upstream receives.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RawClient } from '../support/raw-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from '../support/scripted-upstream.js';
import { closeAll, proxySite, startPorta } from './proxy-harness.js';

const upstreams: ScriptedUpstream[] = [];
after(async () => {
  await closeAll();
  await Promise.all(upstreams.splice(0).map((upstream) => upstream.close()));
});

const SMUGGLING = [
  'Transfer_Encoding: chunked',
  'Content_Length: 40',
  'X_Forwarded_For: 6.6.6.6',
  'Proxy_Connection: keep-alive',
  'Host_: evil',
  'X_Custom: kept-when-allowed',
];

/** Sends a POST with the fields above through porta; returns the head the upstream got. */
async function headSeenUpstream(underscores: boolean | undefined): Promise<string> {
  const upstream = await startScriptedUpstream();
  upstreams.push(upstream);
  const proxy = {
    to: [`http://127.0.0.1:${upstream.port}`],
    ...(underscores === undefined ? {} : { underscores_in_headers: underscores }),
  };
  const { url } = await startPorta(proxySite(proxy));
  const client = await RawClient.open(Number(new URL(url).port));
  try {
    client.write(
      `POST /echo HTTP/1.1\r\nHost: t\r\n${SMUGGLING.join('\r\n')}\r\nContent-Length: 5\r\n\r\nhello`,
    );
    await client.waitFor('got 5');
    assert.match(client.text, /^HTTP\/1\.1 200 /);
  } finally {
    client.destroy();
  }
  assert.equal(upstream.heads.length, 1);
  return upstream.heads[0] as string;
}

describe('proxy: field names with underscores', () => {
  it('drops every name with "_" by default (nginx underscores_in_headers off)', async () => {
    const head = await headSeenUpstream(undefined);
    assert.doesNotMatch(head, /_/, head);
    assert.match(head, /\r\nContent-Length: 5(\r\n|$)/i);
    assert.doesNotMatch(head, /6\.6\.6\.6/);
  });

  it('with underscores_in_headers: true passes others, never framing, hop-by-hop or forwarding look-alikes', async () => {
    const head = await headSeenUpstream(true);
    assert.match(head, /\r\nX_Custom: kept-when-allowed/);
    for (const name of [
      'Transfer_Encoding',
      'Content_Length',
      'X_Forwarded_For',
      'Proxy_Connection',
    ]) {
      assert.doesNotMatch(head, new RegExp(name), head);
    }
    // "Host_" is no Host field even with "_" read as "-": it passes.
    assert.match(head, /\r\nHost_: evil/);
    assert.match(head, /\r\nContent-Length: 5(\r\n|$)/i);
  });
});
