// The benchmark's Hono app on srvx's Node adapter: `node --import tsx hono-srvx.mjs PORT`.
import { serve } from 'srvx';
import app from '../../../examples/hono-app/server.ts';

const port = Number(process.argv[2] ?? 3000);
const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1', silent: true });
await server.ready();
console.log(`listening on ${port}`);
