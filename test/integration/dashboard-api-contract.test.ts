/**
 * The dashboard's typed client checked against /openapi.json: every endpoint it calls exists with
 * that method, and every response field its pages read is in that endpoint's response schema.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { ENDPOINTS, FIELDS_READ, OPTIONAL_ENDPOINTS, type EndpointName } from '../../dashboard/src/api/endpoints.ts';

interface Schema { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema }
interface Operation { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }

let t: TestApp;
let paths: Record<string, Record<string, Operation>>;
before(async () => {
  t = await createTestApp();
  paths = (await t.request({ method: 'GET', url: '/openapi.json' })).json().paths;
});
after(() => t.close());

test('every endpoint the dashboard calls is in /openapi.json with that method', () => {
  const missing = Object.entries(ENDPOINTS)
    .filter(([name]) => !OPTIONAL_ENDPOINTS.includes(name as EndpointName))
    .filter(([, [method, path]]) => !paths[path]?.[method.toLowerCase()])
    .map(([name, [method, path]]) => `${name}: ${method} ${path}`);
  assert.deepEqual(missing, []);
});

test('every response field the pages read is in the response schema', () => {
  const problems: string[] = [];
  for (const [name, fields] of Object.entries(FIELDS_READ) as Array<[EndpointName, readonly string[]]>) {
    const [method, path] = ENDPOINTS[name];
    const responses = paths[path]?.[method.toLowerCase()]?.responses ?? {};
    const ok = Object.entries(responses).filter(([status]) => status.startsWith('2'));
    const properties = new Set(ok.flatMap(([, r]) => Object.keys(r.content?.['application/json']?.schema?.properties ?? {})));
    for (const field of fields) if (!properties.has(field)) problems.push(`${name} (${method} ${path}) has no "${field}"`);
  }
  assert.deepEqual(problems, []);
});
