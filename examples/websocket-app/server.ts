// A Hono app with a WebSocket route, run by porta: `porta app examples/websocket-app/server.ts`.
// Hono's upgradeWebSocket from @hono/node-ws, as on @hono/node-server; porta calls the exported
// injectWebSocket once per worker with its stand-in for the node:http server.
import { createNodeWebSocket } from '@hono/node-ws';
import { Hono } from 'hono';

const app = new Hono();
// eslint-disable-next-line @typescript-eslint/unbound-method -- plain closures, not methods
const { injectWebSocket, upgradeWebSocket } = createNodeWebSocket({ app });

app.get('/', (c) => c.text('Hello from Hono on porta: WebSockets at /ws\n'));

app.get(
  '/ws',
  upgradeWebSocket((c) => ({
    onOpen(_event, ws) {
      ws.send(`hello ${c.req.query('name') ?? 'there'}`);
    },
    onMessage(event, ws) {
      if (event.data === 'bye') {
        ws.close(4000, 'bye');
        return;
      }
      // Text comes back as text, binary frames as the same bytes.
      ws.send(typeof event.data === 'string' ? `echo: ${event.data}` : (event.data as ArrayBuffer));
    },
  })),
);

export default { fetch: app.fetch, injectWebSocket };
