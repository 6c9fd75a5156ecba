// Upgrade tunnels (WebSocket and friends, RFC 9110 §7.8): the 101 goes to the client, then bytes flow both ways.
import type { Socket } from 'node:net';
import type { Exchange } from '../../http/exchange.js';
import { pipeSockets } from '../../net/pipe.js';
import type { ResponseHead } from './client/response-parser.js';
import type { ProxyRuntime } from './proxy-runtime.js';
import { filterResponseFields } from './response-fields.js';
import type { UpstreamPeer } from './upstream-peer.js';

/** The 101 head for the client: the upstream's fields, hop-by-hop ones rewritten for this hop. */
function switchingHead(head: ResponseHead): string {
  const fields = filterResponseFields(head.headers, head.connection, true).headers;
  let text = 'HTTP/1.1 101 Switching Protocols\r\n';
  for (let i = 0; i < fields.length; i += 2) {
    text += `${fields[i] as string}: ${fields[i + 1] as string}\r\n`;
  }
  return `${text}\r\n`;
}

/** Takes the client connection over and joins it to the upstream socket until either side ends. */
export function startTunnel(
  runtime: ProxyRuntime,
  exchange: Exchange,
  peer: UpstreamPeer,
  head: ResponseHead,
  upstream: Socket,
  upstreamRest: Buffer,
): void {
  let client: Socket;
  let clientRest: Buffer;
  try {
    ({ socket: client, head: clientRest } = exchange.upgrade());
  } catch {
    // The client left while the upstream answered: nothing to join.
    upstream.destroy();
    peer.active--;
    return;
  }
  client.write(switchingHead(head), 'latin1');
  if (upstreamRest.length > 0) client.write(upstreamRest);
  if (clientRest.length > 0) upstream.write(clientRest);
  runtime.tunnels.add(client);
  runtime.tunnels.add(upstream);
  const started = Date.now();
  const what = `${exchange.request.method} ${exchange.request.target}`;
  void pipeSockets(client, upstream, { idleTimeoutMs: runtime.options.tunnelIdleTimeoutMs }).then(
    (result) => {
      runtime.tunnels.delete(client);
      runtime.tunnels.delete(upstream);
      peer.active--;
      if (runtime.logger.debugEnabled) {
        runtime.logger.debug(
          `Tunnel ${what} to ${peer.label} closed (${result.outcome}): ` +
            `${result.bytesAToB} bytes up, ${result.bytesBToA} bytes down, ` +
            `${((Date.now() - started) / 1000).toFixed(3)} s`,
        );
      }
    },
  );
}
