/**
 * API fuzz, driven by /openapi.json: every route gets malformed, random, schema-shaped, huge,
 * deeply nested and prototype-polluting bodies, odd path parameters and query strings, under admin,
 * tenant, read-only and missing keys. No answer may be a 5xx other than the documented 501/503,
 * every error must carry a registry code with its status, nothing may hang, and /health must still
 * answer afterwards with Object.prototype untouched.
 *
 * Bounded: WAFLEET_FUZZ_RUNS cases per route (default 12) within a time budget (WAFLEET_FUZZ_MS,
 * default 40 s overall). Random seed per run; a failure prints it (WAFLEET_FUZZ_SEED=… replays it).
 * Host names resolve to nothing and WhatsApp is a closed loopback port: nothing leaves the machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, eventually, ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';
import { ERROR_CODES, type ErrorCode } from '../../src/errors/codes.ts';

const RUNS_PER_ROUTE = Number(process.env.WAFLEET_FUZZ_RUNS ?? 12);
const BUDGET_MS = Number(process.env.WAFLEET_FUZZ_MS ?? 40_000);
const SEED = process.env.WAFLEET_FUZZ_SEED === undefined ? undefined : Number(process.env.WAFLEET_FUZZ_SEED);
const REQUEST_DEADLINE_MS = 10_000;
const BODY_LIMIT = 64 * 1024;
const ALLOWED_5XX = new Set([501, 503]);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Operation {
  method: (typeof METHODS)[number];
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodyProperties: string[];
}

interface Case {
  who: 'admin' | 'tenant' | 'reader' | 'none' | 'bogus';
  params: string[];
  query: Array<[string, string]>;
  body: { raw: string; type: string | undefined } | undefined;
}

function operationsOf(spec: { paths: Record<string, Record<string, any>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = (operation.parameters ?? []) as Array<{ in: string; name: string }>;
      const schema = operation.requestBody?.content?.['application/json']?.schema ?? {};
      operations.push({
        method,
        path,
        pathParams: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        bodyProperties: Object.keys(schema.properties ?? {}),
      });
    }
  }
  return operations;
}

/** Raw JSON text, so `__proto__` keys survive (an object literal would set the prototype instead). */
const json = (entries: Array<[string, string]>) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;

const nested = (depth: number, kind: 'array' | 'object') => (kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

const POLLUTERS = [
  '{"polluted":"yes"}',
  '{"prototype":{"polluted":"yes"}}',
  '{"__proto__":{"polluted":"yes"}}',
];

function bodyArbitrary(op: Operation): fc.Arbitrary<Case['body']> {
  const prop = op.bodyProperties.length > 0 ? fc.constantFrom(...op.bodyProperties) : fc.constant('x');
  const value = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null');
  const shaped = fc.array(fc.tuple(prop, value), { maxLength: 6 });
  const asJson = (raw: string) => ({ raw, type: 'application/json' as string | undefined });
  return fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 200 }).map(asJson),
    fc.jsonValue({ maxDepth: 5 }).map((v) => asJson(JSON.stringify(v) ?? 'null')),
    shaped.map((entries) => asJson(json(entries))),
    fc.tuple(prop, fc.integer({ min: 50, max: 60_000 }), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([p, depth, kind]) => asJson(json([[p, nested(Math.min(depth, Math.floor(BODY_LIMIT / 6)), kind)]]))),
    fc.tuple(shaped, fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.constantFrom(...POLLUTERS)).map(([entries, key, polluter]) => asJson(json([...entries, [key, polluter]]))),
    fc.constantFrom(
      asJson(`{"x":"${'a'.repeat(BODY_LIMIT)}"}`), // over the body limit
      asJson(json(Array.from({ length: 3000 }, (_, i) => [`k${i}`, '1'] as [string, string]))),
      asJson(`"${'\\u0000'.repeat(2000)}"`),
      asJson('{"a":1,"a":2}'),
      asJson('1e999999'),
      { raw: 'a=1&b=2', type: 'application/x-www-form-urlencoded' },
      { raw: 'hello', type: 'text/plain' },
      { raw: '--x\r\n\r\n--x--', type: 'multipart/form-data; boundary=x' },
      { raw: '{"a":1}', type: 'application/json; charset=utf-7' },
      { raw: '{"a":1}', type: undefined },
      { raw: '\uFEFF{"a":1}', type: 'application/json' },
    ),
  );
}

const pathValue = fc.oneof(
  fc.constantFrom('acme', 'fz1', 'nope', '01JEVENT0000000000000000001', 'sales', '__proto__', 'constructor', 'a.b', '-'),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 90, maxLength: 300 }),
).map((value) => encodeURIComponent(value) || 'x');

function caseArbitrary(op: Operation): fc.Arbitrary<Case> {
  const queryName = fc.constantFrom(...op.queryParams, '__proto__', 'limit', 'after', 'unknown');
  const queryValue = fc.oneof(fc.string({ maxLength: 60 }), fc.integer().map(String), fc.constantFrom('-1', '1e309', 'NaN', 'true', '[]', '{}'));
  return fc.record({
    who: fc.constantFrom<Case['who']>('admin', 'admin', 'tenant', 'tenant', 'reader', 'none', 'bogus'),
    params: fc.array(pathValue, { minLength: op.pathParams.length, maxLength: op.pathParams.length }),
    query: fc.array(fc.tuple(queryName, queryValue), { maxLength: 3 }),
    body: op.method === 'get' ? fc.constant(undefined) : bodyArbitrary(op),
  });
}

function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${REQUEST_DEADLINE_MS} ms`)), REQUEST_DEADLINE_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function checkAnswer(res: LightMyRequestResponse, what: string): void {
  if (res.statusCode >= 500 && !ALLOWED_5XX.has(res.statusCode)) assert.fail(`${what} → ${res.statusCode} ${res.body.slice(0, 300)}`);
  if (res.statusCode < 400 || !String(res.headers['content-type'] ?? '').startsWith('application/json')) return;
  const code = (res.json() as { error?: { code?: string } }).error?.code;
  assert.ok(code !== undefined && code in ERROR_CODES, `${what} → ${res.statusCode} without a registry code: ${res.body.slice(0, 300)}`);
  assert.equal(ERROR_CODES[code as ErrorCode].status, res.statusCode, `${what}: ${code} answered with another status`);
}

async function seed(app: TestApp): Promise<Record<Case['who'], string | null>> {
  const tenant = await app.tenantWithKey('acme');
  const reader = await app.tenantWithKey('acme', ['read']);
  await app.request({ method: 'POST', url: '/v1/sessions', key: tenant, payload: { id: 'fz1', engine: 'fake', start: true } });
  await eventually(() => app.fake.sessions.get('fz1'), Boolean);
  await eventually(async () => (await app.wafleet.storage.sessions.get('fz1'))?.status, (s) => s === 'SCAN_QR');
  await app.fake.sessions.get('fz1')!.scan();
  await eventually(async () => (await app.wafleet.storage.sessions.get('fz1'))?.status, (s) => s === 'WORKING');
  return { admin: ADMIN_KEY, tenant, reader, none: null, bogus: 'wfk_not-a-real-key-0000000000000000' };
}

test('API fuzz from /openapi.json: no 5xx beyond 501/503, registry codes on every error, /health afterwards', { timeout: BUDGET_MS + 120_000 }, async (t) => {
  const app = await createTestApp(
    {
      bodyLimitBytes: BODY_LIMIT,
      defaultEngine: 'fake',
      waUrl: 'ws://127.0.0.1:9/ws',
      media: { maxBytes: 100_000, timeoutMs: 1000, allowPrivateUrls: false },
      rateLimit: { rps: 0, burst: 1, redisUrl: undefined },
    },
    undefined,
    { resolveHost: async () => [] },
  );
  t.after(() => app.close());
  const keys = await seed(app);
  const spec = (await app.request({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, any>> };
  const operations = operationsOf(spec);
  assert.ok(operations.length >= 50, `only ${operations.length} operations in /openapi.json`);

  const perRouteMs = Math.max(200, Math.floor(BUDGET_MS / operations.length));
  let requests = 0;
  const started = Date.now();
  for (const op of operations) {
    const run = await fc.check(
      fc.asyncProperty(caseArbitrary(op), async (c) => {
        let url = op.path;
        op.pathParams.forEach((name, i) => (url = url.replace(`{${name}}`, c.params[i]!)));
        const query = new URLSearchParams(c.query).toString();
        const key = keys[c.who];
        const headers: Record<string, string> = { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(c.body?.type ? { 'content-type': c.body.type } : {}) };
        const what = `${op.method.toUpperCase()} ${url}${query ? `?${query}` : ''} as ${c.who} with ${c.body ? `${c.body.type} ${c.body.raw.slice(0, 120)}` : 'no body'}`;
        requests += 1;
        const res = await withDeadline(app.wafleet.app.inject({ method: op.method.toUpperCase() as 'GET', url: `${url}${query ? `?${query}` : ''}`, headers, ...(c.body ? { payload: c.body.raw } : {}) }), what);
        checkAnswer(res, what);
      }),
      { numRuns: RUNS_PER_ROUTE, interruptAfterTimeLimit: perRouteMs, markInterruptAsFailure: false, endOnFailure: true, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
    if (run.failed) assert.fail(`${run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance)}\n(replay with WAFLEET_FUZZ_SEED=${run.seed})`);
  }
  t.diagnostic(`${requests} requests over ${operations.length} operations in ${Date.now() - started} ms`);

  const health = await app.request({ method: 'GET', url: '/health', key: null });
  assert.equal(health.statusCode, 200, health.body);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was not polluted');
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
});
