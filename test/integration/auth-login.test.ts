/** Logins over the HTTP API: tokens, rotation and reuse detection, cookies and CSRF, rate limits, password policy. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const PASSWORD = 'correct horse battery staple';

function cookiesOf(response: { headers: Record<string, unknown> }): Record<string, { value: string; attributes: string }> {
  const raw = response.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw as string] : [];
  return Object.fromEntries(list.map((line: string) => {
    const [pair, ...attributes] = line.split(';');
    const [name, ...value] = pair!.split('=');
    return [name!.trim(), { value: value.join('='), attributes: attributes.join(';').toLowerCase() }];
  }));
}

describe('logins', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ users: { ...(await import('../../src/config/config.ts')).loadConfig({}).users, loginMaxAttempts: 3, loginMaxAttemptsPerAddress: 1000 } });
    await t.tenantWithKey('acme');
    const created = await t.request({ method: 'POST', url: '/v1/users', payload: { email: 'Olive@Acme.test', password: PASSWORD, role: 'operator', tenant: 'acme' } });
    assert.equal(created.statusCode, 201, created.body);
  });
  after(() => t.close());

  const login = (email: string, password: string, extra: object = {}) =>
    t.request({ method: 'POST', url: '/v1/auth/login', key: null, payload: { email, password, ...extra } });

  test('a login gives an access token the API accepts as Bearer, and /me tells role and scopes', async () => {
    const answer = await login('olive@acme.test', PASSWORD);
    assert.equal(answer.statusCode, 200, answer.body);
    const body = answer.json();
    assert.match(body.accessToken, /^eyJ/);
    assert.match(body.refreshToken, /^wfr_/);
    assert.equal(body.expiresIn, 900);
    assert.equal(body.user.email, 'olive@acme.test');
    assert.equal(body.user.passwordHash, undefined);
    const me = (await t.request({ method: 'GET', url: '/v1/auth/me', key: body.accessToken })).json();
    assert.deepEqual([me.kind, me.role, me.tenantId, me.scopes, me.canManageTenant], ['user', 'operator', 'acme', ['read', 'send', 'manage'], false]);
    const sessions = await t.request({ method: 'GET', url: '/v1/sessions', key: body.accessToken });
    assert.equal(sessions.statusCode, 200);
  });

  test('a wrong password and an unknown email get the same 401', async () => {
    const wrong = await login('olive@acme.test', 'not the password at all');
    const unknown = await login('nobody@acme.test', 'not the password at all');
    assert.deepEqual([wrong.statusCode, wrong.json().error.code], [401, 'INVALID_CREDENTIALS']);
    assert.deepEqual([unknown.statusCode, unknown.json().error.code], [401, 'INVALID_CREDENTIALS']);
    assert.equal(wrong.json().error.message, unknown.json().error.message);
  });

  test('refresh rotates: the new pair works, the old refresh token is refused, and reusing it revokes the whole login', async () => {
    const first = (await login('olive@acme.test', PASSWORD)).json();
    const second = await t.request({ method: 'POST', url: '/v1/auth/refresh', key: null, payload: { refreshToken: first.refreshToken } });
    assert.equal(second.statusCode, 200, second.body);
    const pair = second.json();
    assert.notEqual(pair.refreshToken, first.refreshToken);
    assert.equal((await t.request({ method: 'GET', url: '/v1/auth/me', key: pair.accessToken })).statusCode, 200);

    const reused = await t.request({ method: 'POST', url: '/v1/auth/refresh', key: null, payload: { refreshToken: first.refreshToken } });
    assert.deepEqual([reused.statusCode, reused.json().error.code], [401, 'REFRESH_TOKEN_REUSED']);
    // The thief's replay ended the login: the legitimate newer tokens die too.
    const after = await t.request({ method: 'POST', url: '/v1/auth/refresh', key: null, payload: { refreshToken: pair.refreshToken } });
    assert.deepEqual([after.statusCode, after.json().error.code], [401, 'REFRESH_TOKEN_INVALID']);
    const access = await t.request({ method: 'GET', url: '/v1/auth/me', key: pair.accessToken });
    assert.equal(access.statusCode, 401, 'the access token of a revoked login is refused at once');
  });

  test('two refreshes racing with one token: exactly one wins, and the login is revoked for both', async () => {
    const first = (await login('olive@acme.test', PASSWORD)).json();
    const race = await Promise.all([1, 2].map(() => t.request({ method: 'POST', url: '/v1/auth/refresh', key: null, payload: { refreshToken: first.refreshToken } })));
    assert.deepEqual(race.map((r) => r.statusCode).sort(), [200, 401]);
    const winner = race.find((r) => r.statusCode === 200)!.json();
    assert.equal((await t.request({ method: 'POST', url: '/v1/auth/refresh', key: null, payload: { refreshToken: winner.refreshToken } })).statusCode, 401);
  });

  test('logout ends the login: access token and refresh token both stop working', async () => {
    const session = (await login('olive@acme.test', PASSWORD)).json();
    assert.equal((await t.request({ method: 'POST', url: '/v1/auth/logout', key: session.accessToken })).statusCode, 204);
    assert.equal((await t.request({ method: 'GET', url: '/v1/sessions', key: session.accessToken })).statusCode, 401);
    const refresh = await t.request({ method: 'POST', url: '/v1/auth/refresh', key: null, payload: { refreshToken: session.refreshToken } });
    assert.equal(refresh.statusCode, 401);
  });

  test('dashboard cookies are httpOnly and SameSite=Strict, and a change through them needs the CSRF token', async () => {
    const answer = await login('olive@acme.test', PASSWORD, { cookies: true });
    assert.equal(answer.statusCode, 200, answer.body);
    assert.equal(answer.json().accessToken, undefined, 'no token readable by page scripts');
    const cookies = cookiesOf(answer);
    for (const name of ['wafleet_access', 'wafleet_refresh', 'wafleet_csrf']) {
      assert.ok(cookies[name], `${name} set`);
      assert.match(cookies[name]!.attributes, /httponly/);
      assert.match(cookies[name]!.attributes, /samesite=strict/);
      assert.doesNotMatch(cookies[name]!.attributes, /secure/, 'plain HTTP: not Secure');
    }
    const cookie = Object.entries(cookies).map(([name, c]) => `${name}=${c.value}`).join('; ');
    const csrf = answer.json().csrfToken as string;
    const read = await t.request({ method: 'GET', url: '/v1/sessions', key: null, headers: { cookie } });
    assert.equal(read.statusCode, 200, 'reads need no CSRF token');

    const payload = { id: 'csrf-probe', engine: 'fake' };
    const forged = await t.request({ method: 'POST', url: '/v1/sessions', key: null, headers: { cookie }, payload });
    assert.deepEqual([forged.statusCode, forged.json().error.code], [403, 'CSRF_TOKEN_INVALID']);
    const wrong = await t.request({ method: 'POST', url: '/v1/sessions', key: null, headers: { cookie, 'x-csrf-token': `${csrf.slice(0, -2)}xx` }, payload });
    assert.equal(wrong.statusCode, 403);
    assert.equal(await t.wafleet.storage.sessions.get('csrf-probe'), undefined, 'nothing was created');
    const made = await t.request({ method: 'POST', url: '/v1/sessions', key: null, headers: { cookie, 'x-csrf-token': csrf }, payload });
    assert.equal(made.statusCode, 201, made.body);

    // /me hands the token again after a page reload; the cookie-refresh needs it too and rotates the cookies.
    const me = (await t.request({ method: 'GET', url: '/v1/auth/me', key: null, headers: { cookie } })).json();
    assert.ok(me.csrfToken);
    const noToken = await t.request({ method: 'POST', url: '/v1/auth/refresh', key: null, headers: { cookie } });
    assert.equal(noToken.json().error.code, 'CSRF_TOKEN_INVALID');
    const refreshed = await t.request({ method: 'POST', url: '/v1/auth/refresh', key: null, headers: { cookie, 'x-csrf-token': me.csrfToken } });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.notEqual(cookiesOf(refreshed).wafleet_refresh?.value, cookies.wafleet_refresh!.value);
  });

  test('failed logins are limited per account with a clear 429 and Retry-After, then even the right password waits', async () => {
    const created = await t.request({ method: 'POST', url: '/v1/users', payload: { email: 'victim@acme.test', password: PASSWORD, role: 'viewer', tenant: 'acme' } });
    assert.equal(created.statusCode, 201);
    assert.equal((await login('victim@acme.test', PASSWORD)).statusCode, 200, 'successful logins do not count');
    for (let i = 0; i < 3; i++) assert.equal((await login('victim@acme.test', `guess number ${i} wrong`)).statusCode, 401);
    assert.equal((await login('victim@acme.test', 'guess number 4 wrong')).statusCode, 429);
    const limited = await login('victim@acme.test', PASSWORD);
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error.code, 'LOGIN_RATE_LIMITED');
    assert.match(limited.json().error.message, /try again in \d+ s/);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal((await login('olive@acme.test', PASSWORD)).statusCode, 200, 'other accounts are unaffected');
  });

  test('the password policy answers 400 PASSWORD_TOO_WEAK with the rule, and stores nothing', async () => {
    for (const [password, rule] of [['short', /at least 12/], ['aaaaaaaaaaaaaaaa', /5 different/], ['weakling-user-2024', /email/]] as const) {
      const answer = await t.request({ method: 'POST', url: '/v1/users', payload: { email: 'weakling-user@acme.test', password, role: 'viewer', tenant: 'acme' } });
      assert.equal(answer.statusCode, 400, password);
      assert.equal(answer.json().error.code, 'PASSWORD_TOO_WEAK');
      assert.match(answer.json().error.message, rule);
    }
    assert.equal(await t.wafleet.storage.users.getByEmail('weakling-user@acme.test'), undefined);
  });

  test('disabling a user ends its logins at once; a password reset too', async () => {
    const user = (await t.request({ method: 'POST', url: '/v1/users', payload: { email: 'dora@acme.test', password: PASSWORD, role: 'viewer', tenant: 'acme' } })).json();
    const session = (await login('dora@acme.test', PASSWORD)).json();
    assert.equal((await t.request({ method: 'POST', url: `/v1/users/${user.id}/disable` })).json().disabled, true);
    assert.equal((await t.request({ method: 'GET', url: '/v1/sessions', key: session.accessToken })).statusCode, 401);
    assert.equal((await t.request({ method: 'POST', url: '/v1/auth/refresh', key: null, payload: { refreshToken: session.refreshToken } })).statusCode, 401);
    assert.equal((await login('dora@acme.test', PASSWORD)).json().error.code, 'ACCOUNT_DISABLED');
    await t.request({ method: 'POST', url: `/v1/users/${user.id}/enable` });
    const again = (await login('dora@acme.test', PASSWORD)).json();
    const reset = await t.request({ method: 'POST', url: `/v1/users/${user.id}/password`, payload: { password: 'a brand new passphrase' } });
    assert.equal(reset.statusCode, 200, reset.body);
    assert.equal((await t.request({ method: 'GET', url: '/v1/sessions', key: again.accessToken })).statusCode, 401);
    assert.equal((await login('dora@acme.test', 'a brand new passphrase')).statusCode, 200);
  });
});
