/** The connect-time SSRF guard: the agents check the address they dial, for names and IP literals alike. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, get, type Agent } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createOutboundGuard, type ResolveHost } from '../../src/net/outbound-guard.ts';
import { parseAllowlist } from '../../src/net/address-policy.ts';

/** A loopback server counting the requests that reach it. */
async function target(t: TestContext): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits += 1;
    res.end('reached');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, hits: () => hits };
}

function fetchVia(agent: Agent, url: string): Promise<{ status: number } | { error: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const request = get(url, { agent }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0 });
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error }));
  });
}

const answering = (address: string): ResolveHost => async () => [{ address, family: address.includes(':') ? 6 : 4 }];

test('guarded agent: a name that resolves to loopback is refused when connecting; nothing reaches the server', async (t) => {
  const server = await target(t);
  const { http } = createOutboundGuard({ allowPrivateUrls: false, resolve: answering('127.0.0.1') }).agents();
  const result = await fetchVia(http, `http://receiver.test:${server.port}/`);
  assert.ok('error' in result, 'refused');
  assert.equal(result.error.code, 'ERR_ADDRESS_NOT_ALLOWED');
  assert.match(result.error.message, /"receiver\.test" resolves to 127\.0\.0\.1, which is not a public address \(loopback\)/);
  assert.equal(server.hits(), 0);
});

test('guarded agent: IP-literal hosts are checked too (Node does not call lookup for them), over http and https', async (t) => {
  const server = await target(t);
  const { http, https } = createOutboundGuard({ allowPrivateUrls: false }).agents();
  for (const url of [`http://127.0.0.1:${server.port}/`, `http://[::ffff:127.0.0.1]:${server.port}/`, `http://[::1]:${server.port}/`]) {
    const result = await fetchVia(http, url);
    assert.ok('error' in result && result.error.code === 'ERR_ADDRESS_NOT_ALLOWED', url);
  }
  const secure = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    httpsGet(`https://127.0.0.1:${server.port}/`, { agent: https }, () => resolve(undefined)).on('error', resolve);
  });
  assert.equal(secure?.code, 'ERR_ADDRESS_NOT_ALLOWED');
  const named = createOutboundGuard({ allowPrivateUrls: false, resolve: answering('::1') }).agents().https;
  const secureByName = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    httpsGet(`https://receiver.test:${server.port}/`, { agent: named }, () => resolve(undefined)).on('error', resolve);
  });
  assert.equal(secureByName?.code, 'ERR_ADDRESS_NOT_ALLOWED', 'TLS connections resolve through the guard too');
  assert.equal(server.hits(), 0);
});

test('guarded agent: a name with one public and one loopback answer is refused as a whole', async (t) => {
  const server = await target(t);
  const resolve: ResolveHost = async () => [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }];
  const { http } = createOutboundGuard({ allowPrivateUrls: false, resolve }).agents();
  const result = await fetchVia(http, `http://mixed.test:${server.port}/`);
  assert.ok('error' in result && result.error.code === 'ERR_ADDRESS_NOT_ALLOWED');
  assert.equal(server.hits(), 0);
});

test('guarded agent: WAFLEET_ALLOW_PRIVATE_URLS and the allowlist let loopback through, and only what they name', async (t) => {
  const server = await target(t);
  const open = createOutboundGuard({ allowPrivateUrls: true, resolve: answering('127.0.0.1') }).agents();
  assert.deepEqual(await fetchVia(open.http, `http://receiver.test:${server.port}/`), { status: 200 });
  const listed = createOutboundGuard({ allowPrivateUrls: false, allowlist: parseAllowlist(['127.0.0.1/32']), resolve: answering('127.0.0.1') }).agents();
  assert.deepEqual(await fetchVia(listed.http, `http://receiver.test:${server.port}/`), { status: 200 });
  assert.deepEqual(await fetchVia(listed.http, `http://127.0.0.1:${server.port}/`), { status: 200 });
  const other = await fetchVia(listed.http, `http://[::1]:${server.port}/`);
  assert.ok('error' in other && other.error.code === 'ERR_ADDRESS_NOT_ALLOWED', '::1 is not on the list');
  assert.equal(server.hits(), 3);
});

test('guarded lookup: hands public answers to net.connect in both shapes Node asks for', async () => {
  const guard = createOutboundGuard({ allowPrivateUrls: false, resolve: async () => [{ address: '2606:4700:4700::1111', family: 6 }, { address: '1.1.1.1', family: 4 }] });
  const all = await new Promise((resolve, reject) => guard.lookup('one.test', { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));
  assert.deepEqual(all, [{ address: '2606:4700:4700::1111', family: 6 }, { address: '1.1.1.1', family: 4 }]);
  const v4 = await new Promise((resolve, reject) => guard.lookup('one.test', { family: 4 }, (error, address, family) => (error ? reject(error) : resolve([address, family]))));
  assert.deepEqual(v4, ['1.1.1.1', 4]);
});
