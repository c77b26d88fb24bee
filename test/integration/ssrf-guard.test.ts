/**
 * The SSRF guard through the API with WAFLEET_ALLOW_PRIVATE_URLS off: public webhook targets are
 * accepted, a DNS answer that turns internal after acceptance is refused when the delivery connects,
 * and a media redirect to an internal address is refused at the hop. Host names are answered by an
 * injected resolver, so nothing leaves the machine.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, eventually } from '../helpers/test-app.ts';
import type { ResolveHost } from '../../src/net/outbound-guard.ts';
import { Receiver } from './webhooks-receiver.ts';
import { deliveriesOf, fastWebhooks, workingSession } from './webhooks-fixtures.ts';

const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

describe('SSRF guard with private URLs refused', () => {
  test('public IPv4 and IPv6 webhook targets are accepted; internal ones in any notation are refused', async (t) => {
    const resolveHost: ResolveHost = async (host) => (host === 'hooks.example.test' ? [{ address: '93.184.216.34', family: 4 }] : []);
    const app = await createTestApp({ webhooks: fastWebhooks({ allowPrivateUrls: false }) }, undefined, { resolveHost });
    t.after(() => app.close());
    const key = await app.tenantWithKey('acme');
    // Disabled, and the dispatcher is not started: nothing is ever sent to these hosts.
    for (const url of ['http://8.8.8.8/x', 'https://1.1.1.1:8443/hook', 'http://[2606:4700:4700::1111]/x', 'http://[::ffff:8.8.8.8]/x', 'https://hooks.example.test/in']) {
      const res = await app.request({ method: 'POST', url: '/v1/webhooks', key, payload: { url, enabled: false } });
      assert.equal(res.statusCode, 201, `${url}: ${res.body}`);
    }
    for (const url of ['http://127.1/x', 'http://[::ffff:127.0.0.1]/x', 'http://[::127.0.0.1]/x', 'http://[64:ff9b::a9fe:a9fe]/latest', 'http://[2002:a00:1::]/x', 'http://100.64.0.1/x', 'http://198.18.0.1/x', 'http://[fd00::1]/x', 'http://224.0.0.1/x']) {
      const res = await app.request({ method: 'POST', url: '/v1/webhooks', key, payload: { url } });
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().error.code, 'URL_NOT_ALLOWED', url);
      assert.match(res.json().error.message, /not a public address/, url);
    }
    assert.equal((await app.wafleet.storage.webhooks.list({})).length, 5, 'only the public targets were stored');
  });

  test('DNS rebinding: a public answer at acceptance and a loopback one at delivery is refused when connecting', async (t) => {
    const receiver = await new Receiver().start();
    t.after(() => receiver.stop());
    const port = new URL(receiver.url).port;
    const asked: string[] = [];
    // First answer public (the URL is accepted), every later one loopback, where the receiver listens.
    const resolveHost: ResolveHost = async (host) => {
      asked.push(host);
      return asked.length === 1 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    };
    const app = await createTestApp({ webhooks: fastWebhooks({ allowPrivateUrls: false }) }, undefined, { resolveHost });
    t.after(() => app.close());
    await app.wafleet.resume();
    const key = await app.tenantWithKey('acme');
    const created = await app.request({ method: 'POST', url: '/v1/webhooks', key, payload: { url: `http://rebind.test:${port}/hook`, events: ['session.status'] } });
    assert.equal(created.statusCode, 201, created.body);
    await workingSession(app, key, 'rb1');
    const deliveries = await eventually(() => deliveriesOf(app, key, created.json().id), (items) => items.length > 0 && items.every((d) => d.status === 'dead'), 5000);
    for (const delivery of deliveries) {
      assert.match(String(delivery.lastError), /"rebind\.test" resolves to 127\.0\.0\.1, which is not a public address \(loopback\)/);
      assert.equal(delivery.attempts, 1, 'refused for good, not retried');
    }
    assert.equal(receiver.received.length, 0, 'nothing reached the internal address');
    assert.ok(asked.length >= 2 && asked.every((host) => host === 'rebind.test'), `resolver asked ${JSON.stringify(asked)}`);
  });

  test('media by URL: a redirect to an internal address is refused at the hop; allowed hops are followed', async (t) => {
    let internalHits = 0;
    const internal = createServer((_req, res) => {
      internalHits += 1;
      res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_1PX);
    });
    await listen(t, internal, '::1');
    const internalPort = (internal.address() as AddressInfo).port;
    const media = createServer((req, res) => {
      if (req.url === '/pic.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_1PX);
      else if (req.url === '/to-pic') res.writeHead(302, { location: '/pic.png' }).end();
      else if (req.url === '/to-internal') res.writeHead(302, { location: `http://[::1]:${internalPort}/pic.png` }).end();
      else if (req.url === '/to-metadata') res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else res.writeHead(404).end();
    });
    await listen(t, media, '127.0.0.1');
    const base = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
    // Only this one loopback address stands in for a public media host.
    const app = await createTestApp({ media: { maxBytes: 10_000, timeoutMs: 2000, allowPrivateUrls: false }, privateUrlAllowlist: ['127.0.0.1'] });
    t.after(() => app.close());
    const key = await app.tenantWithKey('acme');
    await workingSession(app, key, 'md1');
    const send = (url: string) => app.request({ method: 'POST', url: '/v1/sessions/md1/messages', key, payload: { to: '15550002222', type: 'image', media: { url } } });

    assert.equal((await send(`${base}/pic.png`)).statusCode, 201);
    assert.equal((await send(`${base}/to-pic`)).statusCode, 201, 'a redirect to an allowed host is followed');
    for (const path of ['/to-internal', '/to-metadata']) {
      const refused = await send(`${base}${path}`);
      assert.equal(refused.statusCode, 400, path);
      assert.equal(refused.json().error.code, 'URL_NOT_ALLOWED');
      assert.match(refused.json().error.message, /^media\.url \(redirect 1\): ".*" is not a public address/);
    }
    assert.equal(internalHits, 0, 'the internal server was never reached');
    assert.equal(app.fake.sessions.get('md1')!.sent.length, 2, 'only the two allowed sends went out');
  });
});

async function listen(t: TestContext, server: ReturnType<typeof createServer>, host: string): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
}
