/** Browser-facing hardening: security headers, no caching of API answers, CORS only for listed origins, UTF-8 JSON only. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp } from '../helpers/test-app.ts';

const APP = 'https://app.example.com';

describe('security headers', () => {
  test('every answer — success, error, not found — is nosniff, unframeable, under a strict CSP and not cached', async (t) => {
    const app = await createTestApp();
    t.after(() => app.close());
    for (const [url, key] of [['/health', undefined], ['/v1/sessions', null], ['/v1/sessions', undefined], ['/nowhere', undefined]] as const) {
      const res = await app.request({ method: 'GET', url, ...(key === null ? { key: null } : {}) });
      const where = `${url} (${res.statusCode})`;
      assert.equal(res.headers['x-content-type-options'], 'nosniff', where);
      assert.equal(res.headers['x-frame-options'], 'DENY', where);
      const csp = String(res.headers['content-security-policy']);
      for (const directive of ["default-src 'self'", "frame-ancestors 'none'", "script-src 'self'", "object-src 'none'", "style-src 'self'"]) assert.ok(csp.includes(directive), `${where}: ${directive} in ${csp}`);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, where);
      assert.equal(res.headers['cache-control'], 'no-store', where);
      assert.equal(res.headers['strict-transport-security'], undefined, `${where}: HSTS is the TLS proxy's call`);
    }
  });

  test('Swagger UI at /docs loads only same-origin scripts and styles, no inline script, so it runs under the CSP', async (t) => {
    const app = await createTestApp();
    t.after(() => app.close());
    const page = await app.request({ method: 'GET', url: '/docs', key: null });
    assert.equal(page.statusCode, 200);
    const html = page.body;
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length >= 2, html);
    for (const [, attributes, body] of scripts) {
      assert.match(attributes!, /src="(\.|\/docs)\/static\/[\w.-]+\.js"/, 'a same-origin file');
      assert.equal(body!.trim(), '', 'no inline code');
    }
    assert.doesNotMatch(html, /\son[a-z]+=|style="/i, 'no inline handlers or styles');
    for (const [, href] of html.matchAll(/href="([^"]+)"/g)) assert.match(href!, /^(\.|\/docs)\/static\//, `same-origin ${href}`);
    const initializer = await app.request({ method: 'GET', url: '/docs/static/swagger-initializer.js', key: null });
    assert.equal(initializer.statusCode, 200);
    assert.match(initializer.body, /SwaggerUIBundle/);
    const css = await app.request({ method: 'GET', url: '/docs/static/swagger-ui.css', key: null });
    assert.notEqual(css.headers['cache-control'], 'no-store', 'static assets keep their own caching');
    assert.match(String(css.headers['content-security-policy']), /style-src 'self' 'unsafe-hashes' 'sha256-/, "only /docs allows Swagger UI's one inline style");
  });
});

describe('CORS', () => {
  const preflight = (origin: string) => ({ method: 'OPTIONS' as const, url: '/v1/sessions', key: null, headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });

  test('off by default: a preflight answers 404 and no answer carries CORS headers', async (t) => {
    const app = await createTestApp();
    t.after(() => app.close());
    const res = await app.request(preflight(APP));
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    const get = await app.request({ method: 'GET', url: '/v1/sessions', headers: { origin: APP } });
    assert.equal(get.statusCode, 200);
    assert.equal(get.headers['access-control-allow-origin'], undefined);
  });

  test('WAFLEET_CORS_ORIGINS: a listed origin gets its origin and credentials back; any other gets no CORS header at all', async (t) => {
    const app = await createTestApp({ corsOrigins: [APP, 'http://localhost:5173'] });
    t.after(() => app.close());
    const ok = await app.request(preflight(APP));
    assert.equal(ok.statusCode, 204);
    assert.equal(ok.headers['access-control-allow-origin'], APP);
    assert.equal(ok.headers['access-control-allow-credentials'], 'true');
    assert.match(String(ok.headers['access-control-allow-headers']), /authorization/);
    assert.match(String(ok.headers['access-control-allow-methods']), /PATCH/);
    assert.match(String(ok.headers.vary), /origin/i, 'caches keep answers per origin');

    const get = await app.request({ method: 'GET', url: '/v1/sessions', headers: { origin: APP } });
    assert.equal(get.statusCode, 200);
    assert.equal(get.headers['access-control-allow-origin'], APP);
    assert.match(String(get.headers['access-control-expose-headers']), /x-request-id/);
    const denied = await app.request({ method: 'GET', url: '/v1/sessions', key: null, headers: { origin: APP } });
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.headers['access-control-allow-origin'], APP, 'the browser client can read the error');

    for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'http://app.example.com', 'null']) {
      const pre = await app.request(preflight(origin));
      assert.equal(pre.statusCode, 404, origin);
      const res = await app.request({ method: 'GET', url: '/v1/sessions', headers: { origin } });
      assert.equal(res.headers['access-control-allow-origin'], undefined, origin);
      assert.equal(res.headers['access-control-allow-credentials'], undefined, origin);
    }
  });
});

describe('JSON charset', () => {
  test('a JSON body with a charset other than UTF-8 is refused with 415 and changes nothing; UTF-8 or none is taken', async (t) => {
    const app = await createTestApp();
    t.after(() => app.close());
    const create = (id: string, contentType: string) => app.request({ method: 'POST', url: '/v1/tenants', headers: { 'content-type': contentType }, payload: JSON.stringify({ id }) });
    for (const [id, type] of [['u7', 'application/json; charset=utf-7'], ['l1', 'application/json;charset=ISO-8859-1'], ['u16', 'application/json; charset="utf-16"'], ['pj', 'application/problem+json; charset=utf-7']] as const) {
      const res = await create(id, type);
      assert.equal(res.statusCode, 415, type);
      assert.equal(res.json().error.code, 'UNSUPPORTED_MEDIA_TYPE', type);
      assert.match(res.json().error.message, /must be UTF-8/, type);
      assert.equal(await app.wafleet.storage.tenants.get(id), undefined, `${type}: nothing written`);
    }
    for (const [id, type] of [['plain', 'application/json'], ['upper', 'application/json; charset=UTF-8'], ['quoted', 'application/json; charset="utf-8"'], ['short', 'application/json;charset=utf8']] as const) {
      assert.equal((await create(id, type)).statusCode, 201, type);
    }
  });
});
