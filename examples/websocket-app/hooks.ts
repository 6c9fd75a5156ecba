// crossws hooks run by porta, the shape srvx's `serve({ fetch, websocket })` takes:
// `porta app examples/websocket-app/hooks.ts`. Every WebSocket request goes to the hooks;
// `upgrade` may refuse one with a Response.
import { defineHooks } from 'crossws';

const websocket = defineHooks({
  upgrade(request) {
    const token = new URL(request.url).searchParams.get('token');
    if (token !== 'let-me-in') return new Response('Unauthorized\n', { status: 401 });
    return { headers: { 'X-Chat': 'porta' } };
  },
  open(peer) {
    peer.subscribe('room');
    peer.send(`welcome ${peer.remoteAddress ?? ''}`);
  },
  message(peer, message) {
    const text = message.text();
    if (text === 'boom') throw new Error('the app failed on purpose');
    // To everyone in the room on this worker (pub/sub is per process), and back to the sender
    // (text as text, binary frames as bytes).
    peer.publish('room', text);
    peer.send(message.rawData);
  },
});

export default {
  fetch: () => new Response('WebSockets only: ws://…/?token=let-me-in\n', { status: 426 }),
  websocket,
};
