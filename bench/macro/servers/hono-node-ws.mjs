// The WebSocket example's Hono app on @hono/node-server with @hono/node-ws, as it runs without porta:
// `node --import tsx hono-node-ws.mjs PORT`.
import { serve } from '@hono/node-server';
import app from '../../../examples/websocket-app/server.ts';

const port = Number(process.argv[2] ?? 3000);
const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => {
  console.log(`listening on ${port}`);
});
app.injectWebSocket(server);
