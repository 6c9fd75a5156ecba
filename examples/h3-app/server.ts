// An h3 app run by porta: `porta app examples/h3-app/server.ts`. h3 apps are fetch handlers too.
import { H3, readBody } from 'h3';

const app: H3 = new H3();

app.get('/', () => 'Hello from h3 on porta\n');

app.get('/json', () => ({ framework: 'h3', server: 'porta' }));

app.get('/items/:id', (event) => ({ id: event.context.params?.id }));

app.post('/echo', async (event) => ({ received: await readBody(event) }));

export default app;
