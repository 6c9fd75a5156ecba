// The benchmark's Hono app on @hono/node-server (node:http): `node --import tsx hono-node-server.mjs PORT`.
import { serve } from '@hono/node-server';
import app from '../../../examples/hono-app/server.ts';

const port = Number(process.argv[2] ?? 3000);
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => {
  console.log(`listening on ${port}`);
});
