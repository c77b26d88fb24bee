/**
 * deploy/nginx/wafleet.conf for real: Debian's nginx on loopback in front of two wafleet processes
 * (compiled, one PostgreSQL schema). API calls and the event WebSocket go through it over TLS, wafleet
 * sees the client's address (trusted from the proxy only), and with one node killed requests are
 * still answered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as plainRequest } from 'node:http';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { createMediaCert } from '../../sim/media/index.ts';
import { serveWafleet, type ServedWafleet } from '../helpers/wafleet-process.ts';
import { toolOrSkip } from '../helpers/system-tools.ts';
import { eventually } from '../helpers/test-app.ts';

const PG_URL = process.env.WAFLEET_TEST_PG_URL;
const DEPLOY = new URL('../../deploy/nginx/', import.meta.url).pathname;
const ADMIN = `admin-${randomBytes(16).toString('hex')}`;
/** The "client" machine: another loopback address than nginx's own, so the two can be told apart. */
const CLIENT_ADDRESS = '127.0.0.2';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The shipped site file with only addresses, ports and paths swapped for this machine's. */
function siteConfig(dir: string, upstreams: string[], httpPort: number, httpsPort: number): string {
  const replace = (text: string, pattern: RegExp, value: string): string => {
    assert.match(text, pattern, `wafleet.conf still has ${pattern}`);
    return text.replace(pattern, value);
  };
  let site = readFileSync(join(DEPLOY, 'wafleet.conf'), 'utf8');
  site = replace(site, /( {4}server 127\.0\.0\.1:300\d max_fails=1 fail_timeout=10s;\n)+/, upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=10s;\n`).join(''));
  site = replace(site, / {4}listen 80;\n {4}listen \[::\]:80;\n/, `    listen 127.0.0.1:${httpPort};\n`);
  site = replace(site, / {4}listen 443 ssl http2;\n {4}listen \[::\]:443 ssl http2;\n/, `    listen 127.0.0.1:${httpsPort} ssl http2;\n`);
  site = replace(site, /\/etc\/letsencrypt\/live\/wafleet\.example\.com\/fullchain\.pem/, join(dir, 'cert.pem'));
  site = replace(site, /\/etc\/letsencrypt\/live\/wafleet\.example\.com\/privkey\.pem/, join(dir, 'key.pem'));
  site = replace(site, /\/etc\/nginx\/snippets\/wafleet-locations\.conf/, join(DEPLOY, 'wafleet-locations.conf'));
  return site;
}

function mainConfig(dir: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `  ${name}_temp_path ${join(dir, name)};`).join('\n');
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log ${join(dir, 'access.log')};
${temp}
  include ${join(dir, 'wafleet.conf')};
}
`;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function httpsCall(ca: string, port: number, method: string, path: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        ca,
        localAddress: CLIENT_ADDRESS,
        agent: false,
        headers: { authorization: `Bearer ${ADMIN}`, ...(payload ? { 'content-type': 'application/json' } : {}), 'x-forwarded-for': '198.51.100.66' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The JSON log line wafleet wrote for the request whose URL contains `marker`. */
function requestLog(node: ServedWafleet, marker: string): { remoteAddress?: string } | undefined {
  for (const line of node.output().split('\n')) {
    if (!line.includes(marker) || !line.includes('incoming request')) continue;
    return (JSON.parse(line) as { req?: { remoteAddress?: string } }).req;
  }
  return undefined;
}

test('nginx in front of two wafleet nodes: API, WebSocket, client address, a node killed', { timeout: 90_000 }, async (t) => {
  if (!PG_URL) return t.skip('WAFLEET_TEST_PG_URL not set: two nodes need one shared store');
  const nginx = toolOrSkip(t, 'nginx', 'nginx');
  if (!nginx) return;

  const dir = mkdtempSync(join(tmpdir(), 'wafleet-nginx-'));
  const schema = `wafleet_nginx_${randomBytes(4).toString('hex')}`;
  const nodes: ServedWafleet[] = [];
  t.after(async () => {
    for (const node of nodes) node.kill('SIGKILL');
    await Promise.all(nodes.map((node) => node.exit));
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
    rmSync(dir, { recursive: true, force: true });
  });

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: PG_URL,
    WAFLEET_DATABASE_SCHEMA: schema,
    WAFLEET_MASTER_KEY: randomBytes(32).toString('base64'),
    WAFLEET_ADMIN_KEY: ADMIN,
    WAFLEET_HOST: '127.0.0.1',
    WAFLEET_PORT: '0',
    WAFLEET_LOG_LEVEL: 'info',
    WAFLEET_ENABLE_FAKE_ENGINE: '1',
    // nginx connects from 127.0.0.1; the client from 127.0.0.2 must not be trusted.
    WAFLEET_TRUST_PROXY: '127.0.0.1',
  };
  for (let i = 0; i < 2; i++) {
    // Two nodes of one cluster: each its own node id.
    const node = serveWafleet({ ...env, WAFLEET_NODE_ID: `nginx-n${i + 1}` }, [], { compiled: true });
    nodes.push(node);
    await node.url; // one after the other: the first applies the migrations
  }
  const upstreams = await Promise.all(nodes.map(async (node) => new URL(await node.url).host));

  const { cert, key } = await createMediaCert();
  writeFileSync(join(dir, 'cert.pem'), cert);
  writeFileSync(join(dir, 'key.pem'), key, { mode: 0o600 });
  for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, temp));
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, 'wafleet.conf'), siteConfig(dir, upstreams, httpPort, httpsPort));
  writeFileSync(join(dir, 'nginx.conf'), mainConfig(dir));
  const conf = join(dir, 'nginx.conf');
  const check = spawn(nginx, ['-t', '-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let checkOutput = '';
  check.stderr.on('data', (chunk) => (checkOutput += chunk));
  assert.equal(await new Promise((resolve) => check.on('exit', resolve)), 0, checkOutput);
  const server = spawn(nginx, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: 'ignore' });
  const nginxExit = new Promise((resolve) => server.on('exit', resolve));
  // SIGTERM: the master stops its workers too (SIGKILL would leave them behind).
  t.after(async () => {
    server.kill('SIGTERM');
    await nginxExit;
  });

  const call = (method: string, path: string, body?: unknown) => httpsCall(cert, httpsPort, method, path, body);
  let health: Answer | undefined;
  for (let i = 0; i < 100 && health?.status !== 200; i++) {
    health = await call('GET', '/health').catch(() => undefined);
    if (health?.status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(health?.status, 200, 'nginx answers over TLS');

  // Plain HTTP is sent to HTTPS.
  const plain = await fetch(`http://127.0.0.1:${httpPort}/v1/tenants`, { redirect: 'manual' });
  assert.equal(plain.status, 301);
  assert.equal(plain.headers.get('location'), `https://127.0.0.1/v1/tenants`);

  // The API through nginx, spread over both nodes (one store: either node answers for everything).
  const created = await call('POST', '/v1/tenants', { id: 'acme', name: 'Acme', maxSessions: 5 });
  assert.equal(created.status, 201, created.body);
  for (let i = 0; i < 6; i++) {
    const read = await call('GET', `/v1/tenants/acme?round=${i}`);
    assert.equal(read.status, 200, read.body);
    assert.equal(JSON.parse(read.body).name, 'Acme');
  }
  await eventually(() => [0, 1, 2, 3, 4, 5].every((i) => nodes.some((node) => requestLog(node, `round=${i}`))), Boolean);
  const served = nodes.map((node) => [0, 1, 2, 3, 4, 5].filter((i) => requestLog(node, `round=${i}`)).length);
  assert.ok(served.every((count) => count > 0), `both nodes took requests: ${served.join(' + ')}`);

  // wafleet logs the client's address from X-Forwarded-For, which nginx overwrites (the client's
  // own 198.51.100.66 is dropped)...
  const viaProxy = nodes.map((node) => requestLog(node, 'round=0')).find(Boolean);
  assert.equal(viaProxy?.remoteAddress, CLIENT_ADDRESS);
  // ...and a client talking to a node directly cannot claim another address (an API path: /health
  // is logged at debug only).
  const directMarker = `direct-${randomBytes(4).toString('hex')}`;
  const [nodeHost, nodePort] = upstreams[0]!.split(':');
  await new Promise<void>((resolve, reject) => {
    plainRequest({ host: nodeHost, port: Number(nodePort), path: `/v1/tenants?${directMarker}`, localAddress: CLIENT_ADDRESS, headers: { 'x-forwarded-for': '198.51.100.66' }, agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    })
      .on('error', reject)
      .end();
  });
  await eventually(() => requestLog(nodes[0]!, directMarker), Boolean);
  assert.equal(requestLog(nodes[0]!, directMarker)?.remoteAddress, CLIENT_ADDRESS);

  // The event stream through nginx: upgrade, catch-up from the shared store, then live.
  const session = await call('POST', '/v1/sessions', { id: 'proxied', tenant: 'acme', engine: 'fake', start: true });
  assert.equal(session.status, 201, session.body);
  const frames = await new Promise<Array<{ type: string; sessionId?: string; payload?: { status?: string } }>>((resolve, reject) => {
    const socket = new WebSocket(`wss://127.0.0.1:${httpsPort}/v1/events/ws?key=${ADMIN}&after=00000000000000000000000000&session=proxied`, { ca: cert, localAddress: CLIENT_ADDRESS });
    const seen: Array<{ type: string }> = [];
    const timer = setTimeout(() => reject(new Error(`no stream.live; frames: ${JSON.stringify(seen)}`)), 10_000);
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data));
      seen.push(frame);
      if (frame.type === 'stream.live') {
        clearTimeout(timer);
        socket.close();
        resolve(seen as never);
      }
    });
    socket.on('error', reject);
  });
  assert.ok(frames.some((f) => f.type === 'session.status' && f.sessionId === 'proxied' && f.payload?.status === 'STARTING'), JSON.stringify(frames));

  // One node dies: nginx takes every request to the other.
  nodes[0]!.kill('SIGKILL');
  await nodes[0]!.exit;
  for (let i = 0; i < 6; i++) {
    const read = await call('GET', `/v1/tenants/acme?after-kill=${i}`);
    assert.equal(read.status, 200, `request ${i} after the kill: ${read.status} ${read.body}`);
  }
});
