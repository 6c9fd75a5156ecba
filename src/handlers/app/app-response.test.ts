// The lightweight Response apps construct: behaves as undici's does (fields, bodies, errors,
// instanceof both ways, subclasses, statics) while keeping whole bodies for porta's writer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppResponse, STREAMED, installAppResponse } from './app-response.js';

const NativeResponse = globalThis.Response;
installAppResponse();

/** The writer's view of a response made through the global. */
function wholeOf(response: Response): unknown {
  assert.ok(AppResponse.isLight(response));
  return response.whole;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const chunks: Buffer[] = [];
  for (;;) {
    const read = await reader.read();
    if (read.done) return Buffer.concat(chunks).toString('utf8');
    chunks.push(Buffer.from(read.value));
  }
}

describe('AppResponse (the global Response in an app worker)', () => {
  it('is the global, and instanceof holds for it and for undici responses', async () => {
    const light = new Response('hi', { status: 201, headers: { 'x-a': '1' } });
    assert.equal(globalThis.Response, AppResponse);
    assert.ok(light instanceof Response);
    assert.ok(light instanceof NativeResponse);
    assert.ok(AppResponse.isLight(light));
    const native = new NativeResponse('x');
    assert.ok(native instanceof Response);
    assert.ok(!AppResponse.isLight(native));
    assert.equal(Object.prototype.toString.call(light), '[object Response]');
    const fetched = await fetch('data:text/plain,hello');
    assert.ok(fetched instanceof Response);
  });

  it('answers status, headers and the implied Content-Type as undici does', async () => {
    const light = new Response('hi', { status: 201, headers: { 'x-a': '1' } });
    const native = new NativeResponse('hi', { status: 201, headers: { 'x-a': '1' } });
    assert.equal(light.status, native.status);
    assert.equal(light.ok, native.ok);
    assert.equal(light.statusText, native.statusText);
    assert.deepEqual([...light.headers], [...native.headers]);
    assert.deepEqual([...new Response('x').headers], [...new NativeResponse('x').headers]);
    assert.deepEqual([...new Response(null).headers], []);
    assert.equal(light.bodyUsed, false);
    assert.equal(await light.clone().text(), 'hi');
    assert.equal(await light.text(), 'hi');
    assert.equal(light.bodyUsed, true);
    assert.equal(new Response('x', { statusText: 'Fine' }).statusText, 'Fine');
  });

  it('keeps a string or bytes whole for the writer, a copy of the bytes given', async () => {
    assert.equal(wholeOf(new Response('abc')), 'abc');
    assert.equal(wholeOf(new Response(null)), null);
    const bytes = new Uint8Array([1, 2, 3]);
    const response = new Response(bytes);
    bytes[0] = 9;
    assert.deepEqual([...(wholeOf(response) as Uint8Array)], [1, 2, 3]);
    assert.deepEqual([...new Uint8Array(await response.arrayBuffer())], [1, 2, 3]);
    const stream = new ReadableStream<Uint8Array>();
    assert.equal(wholeOf(new Response(stream)), STREAMED);
  });

  it("copies a response from its own body and init (Hono's header change) and stays whole", async () => {
    const first = new Response('abc', { headers: { 'content-type': 'application/json' } });
    const second = new Response(first.body, first);
    second.headers.set('x-b', '2');
    assert.equal(first.headers.get('x-b'), null);
    assert.equal(second.headers.get('content-type'), 'application/json');
    assert.equal(second.body, first.body);
    assert.equal(wholeOf(second), 'abc');
    assert.equal(await second.text(), 'abc');
    // Once its stream is read, the body is no longer whole: the writer streams it.
    const third = new Response('read me');
    const body = third.body;
    assert.ok(body !== null);
    assert.equal(await readAll(body), 'read me');
    assert.equal(wholeOf(third), STREAMED);
    assert.equal(third.bodyUsed, true);
  });

  it('throws what undici throws, and hands other bodies and inits to it', async () => {
    assert.throws(() => new Response('x', { status: 204 }), TypeError);
    assert.throws(() => new Response('x', { status: 99 }), RangeError);
    assert.throws(() => new Response(null, { headers: { 'bad name': 'x' } }), TypeError);
    const locked = new ReadableStream();
    locked.getReader();
    assert.throws(() => new Response(locked), TypeError);
    const blob = new Response(new Blob(['zz'], { type: 'x/y' }));
    assert.equal(blob.headers.get('content-type'), 'x/y');
    assert.equal(await blob.text(), 'zz');
    const form = new Response(new URLSearchParams({ a: '1' }));
    assert.equal(await form.text(), 'a=1');
    const copied = new Response(null, new NativeResponse(null, { status: 202 }));
    assert.equal(copied.status, 202);
  });

  it('works for subclasses and the static constructors', async () => {
    class Sub extends Response {}
    const sub = new Sub('q');
    assert.ok(sub instanceof Sub);
    assert.ok(!(new Response('r') instanceof Sub));
    assert.equal(await sub.text(), 'q');
    const json = Response.json({ a: 1 });
    assert.ok(json instanceof Response);
    assert.deepEqual(await json.json(), { a: 1 });
    assert.equal(Response.redirect('http://example.com/', 302).status, 302);
  });
});
