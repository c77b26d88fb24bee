/** Users for HTTP tests: created through the API with the admin key, logged in for a Bearer access token. */
import assert from 'node:assert/strict';
import type { TestApp } from './test-app.ts';

export const TEST_PASSWORD = 'a long enough test passphrase';

export async function userToken(t: TestApp, email: string, role: string, tenant?: string): Promise<{ id: string; token: string }> {
  const created = await t.request({ method: 'POST', url: '/v1/users', payload: { email, password: TEST_PASSWORD, role, ...(tenant ? { tenant } : {}) } });
  assert.equal(created.statusCode, 201, created.body);
  const login = await t.request({ method: 'POST', url: '/v1/auth/login', key: null, payload: { email, password: TEST_PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  return { id: created.json().id as string, token: login.json().accessToken as string };
}
