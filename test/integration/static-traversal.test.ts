/**
 * Path traversal forms on /docs/static, sent raw over a socket (no client normalises them): each is
 * a 4xx with a registry code, never a 500, and nothing outside the Swagger UI folder is served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type AddressInfo } from 'node:net';
import { createTestApp } from '../helpers/test-app.ts';

/** Written without a half-close: the server drops a request whose client ended its side before the answer was ready. */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
  });
}

test('traversal, NUL and backslash forms under /docs/static answer 4xx with a code, and serve nothing else', async (t) => {
  const app = await createTestApp();
  t.after(() => app.close());
  await app.wafleet.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.wafleet.app.server.address() as AddressInfo).port;
  const forms = [
    '/docs/static/../../etc/passwd',
    '/docs/static/../../../../../../etc/passwd',
    '/docs/static/%2e%2e/%2e%2e/etc/passwd',
    '/docs/static/..%2f..%2fetc%2fpasswd',
    '/docs/static/%2e%2e%2f%2e%2e%2fpackage.json',
    '/docs/static/%00',
    '/docs/static/index.html%00.png',
    '/docs/static/....//....//etc/passwd',
    '/docs/static/..\\..\\etc\\passwd',
    '/docs/static/%5c..%5c..%5cetc%5cpasswd',
    '/docs/static/..%5c..%5cpackage.json',
    '/docs/static/%',
    '/docs/static/%c0%ae%c0%ae/etc/passwd',
  ];
  for (const path of forms) {
    const { status, body } = await rawGet(port, path);
    assert.ok(status >= 400 && status < 500, `${path}: ${status} ${body.slice(0, 200)}`);
    const error = (JSON.parse(body) as { error: { code: string } }).error;
    assert.ok(['PATH_NOT_ALLOWED', 'NOT_FOUND', 'VALIDATION_FAILED'].includes(error.code), `${path}: ${error.code}`);
    assert.doesNotMatch(body, /root:|"name":\s*"wafleet"/, `${path} served a file outside the folder`);
  }
  assert.equal((await rawGet(port, '/docs/static/%00')).status, 403, 'the static plugin\'s 403 is kept');
  const css = await rawGet(port, '/docs/static/swagger-ui.css');
  assert.equal(css.status, 200, 'the real assets are still served');
});
