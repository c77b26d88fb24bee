import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventRecord } from '../../src/domain/records.ts';
import { createHttpSender } from '../../src/webhooks/http-sender.ts';
import { createOutboundGuard } from '../../src/net/outbound-guard.ts';
import { verify } from '../../src/webhooks/signer.ts';

const event: EventRecord = { id: '01JEVENT0000000000000000001', tenantId: 't1', sessionId: 's1', type: 'message.received', timestamp: 1_700_000_000_000, payload: { text: 'hi' } };
const SECRET = 'whsec_test';

interface Seen {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback receiver answering as told, closed when the test ends. */
async function receiver(t: TestContext, answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[]; connections: () => number; server: Server }> {
  const seen: Seen[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(req, res);
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => close(server));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, seen, connections: () => connections, server };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

test('webhook sender: a signed JSON POST with the target headers; later events reuse the connection', async (t) => {
  const rx = await receiver(t, (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('received, thanks'));
  const send = createHttpSender({ timeoutMs: 2000, guard: createOutboundGuard({ allowPrivateUrls: true }) });
  for (let i = 0; i < 3; i++) {
    const result = await send({ url: rx.url, headers: { 'x-tenant-tag': 'blue' }, secret: SECRET }, event);
    assert.deepEqual({ statusCode: result.statusCode, error: result.error, retryAfterMs: result.retryAfterMs }, { statusCode: 200, error: null, retryAfterMs: null });
  }
  assert.equal(rx.seen.length, 3);
  const first = rx.seen[0]!;
  assert.equal(first.headers['content-type'], 'application/json');
  assert.equal(first.headers['content-length'], String(Buffer.byteLength(first.body)));
  assert.equal(first.headers['x-tenant-tag'], 'blue');
  assert.equal(first.headers['x-wafleet-event-id'], event.id);
  assert.equal(JSON.parse(first.body).payload.text, 'hi');
  const stamp = String(first.headers['x-wafleet-timestamp']);
  assert.ok(verify(SECRET, stamp, first.body, String(first.headers['x-wafleet-signature']), Number(stamp)), 'the signature verifies');
  assert.equal(rx.connections(), 1, 'three events over one kept-alive connection');
});

test('webhook sender: a redirect is not followed; Retry-After is read; a big answer is drained', async (t) => {
  let calls = 0;
  const rx = await receiver(t, (_req, res) => {
    calls += 1;
    if (calls === 1) res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
    else res.writeHead(503, { 'retry-after': '7' }).end('x'.repeat(200_000));
  });
  const send = createHttpSender({ timeoutMs: 2000, guard: createOutboundGuard({ allowPrivateUrls: true }) });
  const redirected = await send({ url: rx.url, headers: {}, secret: SECRET }, event);
  assert.equal(redirected.statusCode, 302);
  assert.equal(redirected.error, 'HTTP 302');
  const busy = await send({ url: rx.url, headers: {}, secret: SECRET }, event);
  assert.equal(busy.statusCode, 503);
  assert.equal(busy.retryAfterMs, 7000);
  assert.equal(rx.seen.length, 2, 'nothing was sent to the redirect target');
});

test('webhook sender: no answer within the timeout is reported as a timeout, not thrown', async (t) => {
  const rx = await receiver(t, () => undefined); // never answers
  const send = createHttpSender({ timeoutMs: 300, guard: createOutboundGuard({ allowPrivateUrls: true }) });
  const result = await send({ url: rx.url, headers: {}, secret: SECRET }, event);
  assert.equal(result.statusCode, null);
  assert.equal(result.error, 'timeout');
  assert.ok(result.latencyMs >= 290 && result.latencyMs < 2000, `latency ${result.latencyMs} ms`);
});

test('webhook sender: a 2xx whose body never ends counts as delivered at once; the stuck connection is not reused', async (t) => {
  let calls = 0;
  const rx = await receiver(t, (_req, res) => {
    calls += 1;
    if (calls > 1) return void res.writeHead(200).end('ok');
    res.writeHead(200, { 'content-length': '1000' });
    res.write('partial'); // and never the rest
  });
  const send = createHttpSender({ timeoutMs: 300, guard: createOutboundGuard({ allowPrivateUrls: true }) });
  const result = await send({ url: rx.url, headers: {}, secret: SECRET }, event);
  assert.deepEqual({ statusCode: result.statusCode, error: result.error }, { statusCode: 200, error: null });
  assert.ok(result.latencyMs < 250, `answered on the status line (${result.latencyMs} ms), not after the timeout`);
  const next = await send({ url: rx.url, headers: {}, secret: SECRET }, event);
  assert.equal(next.statusCode, 200);
  assert.equal(rx.connections(), 2, 'the next event went over a new connection');
});

test('webhook sender: connection refused and a refused private URL', async (t) => {
  const rx = await receiver(t, (_req, res) => res.end());
  const url = rx.url;
  await close(rx.server);
  const refused = await createHttpSender({ timeoutMs: 2000, guard: createOutboundGuard({ allowPrivateUrls: true }) })({ url, headers: {}, secret: SECRET }, event);
  assert.equal(refused.statusCode, null);
  assert.match(String(refused.error), /^ECONNREFUSED/);
  assert.notEqual(refused.permanent, true, 'a refused connection is retried');

  const guarded = await createHttpSender({ timeoutMs: 2000, guard: createOutboundGuard({ allowPrivateUrls: false }) })({ url, headers: {}, secret: SECRET }, event);
  assert.equal(guarded.permanent, true);
  assert.match(String(guarded.error), /not a public address \(loopback\)/);
});
