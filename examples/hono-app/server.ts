// A Hono app run by porta: `porta app examples/hono-app/server.ts`. Routing, middleware, JSON,
// streaming and cookies, all from Hono's own package; nothing porta-specific in it.
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { streamText } from 'hono/streaming';

const app = new Hono();

// Middleware: times every request and says so in a response field.
app.use('*', async (c, next) => {
  const started = performance.now();
  await next();
  c.header('X-Response-Time', `${(performance.now() - started).toFixed(1)}ms`);
});

app.get('/', (c) => c.text('Hello from Hono on porta\n'));

app.get('/json', (c) => c.json({ framework: 'hono', server: 'porta', ok: true }));

// A 1 KiB text answer (the benchmark's second route).
const KIB = 'x'.repeat(1023) + '\n';
app.get('/text', (c) => c.text(KIB));

app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), agent: c.req.header('user-agent') }));

app.post('/echo', async (c) => {
  const body = await c.req.json<Record<string, unknown>>();
  return c.json({ received: body }, 201);
});

app.get('/stream', (c) =>
  streamText(c, async (stream) => {
    for (let i = 1; i <= 3; i++) {
      await stream.writeln(`line ${i}`);
      await stream.sleep(10);
    }
  }),
);

app.get('/login', (c) => {
  setCookie(c, 'session', 'abc123', { httpOnly: true, path: '/' });
  setCookie(c, 'theme', 'dark', { path: '/' });
  return c.text('logged in\n');
});

app.get('/whoami', (c) => c.text(`session=${getCookie(c, 'session') ?? 'none'}\n`));

app.onError((error, c) => c.json({ error: error.message }, 500));

export default app;
